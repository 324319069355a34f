#!/usr/bin/env python3
"""Write the first N messages of an mboxrd file into a new Maildir, one file per message.

Every line that starts with `From ` opens a message (mboxrd escapes such body lines as
`>From `). Each message loses its separator line, the blank line that precedes the next
separator, and one `>` from every `^>+From ` line, so a file contains the same bytes that
`regmail import` stores for that message when it reads the mbox. Files go to `cur/` with
the Maildir `:2,S` (seen) flag, so no indexer moves them out of `new/` during a run.

Usage: mbox_to_maildir.py MBOX MAILDIR COUNT
"""

import os
import re
import sys

ESCAPED_FROM = re.compile(rb"^>(>*From )")


def write_message(folder, index, lines):
    if lines and lines[-1] in (b"\n", b"\r\n"):
        lines = lines[:-1]
    name = os.path.join(folder, "cur", f"{index:08d}.bench:2,S")
    with open(name, "wb") as out:
        out.writelines(lines)


def convert(mbox, folder, count):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(folder, sub), exist_ok=False)
    written = 0
    lines = None
    with open(mbox, "rb", buffering=1 << 20) as source:
        for line in source:
            if line.startswith(b"From "):
                if lines is not None:
                    write_message(folder, written, lines)
                    written += 1
                    if written == count:
                        return written
                lines = []
            elif lines is not None:
                lines.append(ESCAPED_FROM.sub(rb"\1", line))
    if lines is not None and written < count:
        write_message(folder, written, lines)
        written += 1
    return written


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[-1])
    mbox, folder, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    written = convert(mbox, folder, count)
    if written < count:
        sys.exit(f"error: {mbox} contains only {written} messages, fewer than the {count} requested")
    print(written)


if __name__ == "__main__":
    main()
