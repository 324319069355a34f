//! Maildir folders: every regular file under `cur/` and `new/` is one message.
//!
//! Subfolders are read recursively, both the Maildir++ kind (`.Archive/cur`) and plain
//! nested folders. `tmp/` holds deliveries in progress and is never read; a missing `tmp/`
//! (lost when a Maildir passes through git or a zip file) is fine.

use std::path::{Path, PathBuf};

use super::Error;

/// Returns true when `dir` has a `cur` or `new` subfolder.
pub(crate) fn is_maildir(dir: &Path) -> bool {
    dir.join("cur").is_dir() || dir.join("new").is_dir()
}

/// Lists the message files of the Maildir at `root` and of every Maildir below it, in a
/// stable order (folder, then file name).
pub(crate) fn maildir_files(root: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    collect(root, &mut files)?;
    Ok(files)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), Error> {
    for sub in ["cur", "new"] {
        let folder = dir.join(sub);
        if !folder.is_dir() {
            continue;
        }
        let mut names = sorted_entries(&folder)?;
        names.retain(|p| p.is_file());
        files.extend(names);
    }
    for entry in sorted_entries(dir)? {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if matches!(name, "cur" | "new" | "tmp") || !entry.is_dir() {
            continue;
        }
        if is_maildir(&entry) || has_maildir_below(&entry) {
            collect(&entry, files)?;
        }
    }
    Ok(())
}

fn has_maildir_below(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .any(|p| is_maildir(&p) || has_maildir_below(&p))
}

pub(super) fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        entries.push(entry.path());
    }
    entries.sort();
    Ok(entries)
}
