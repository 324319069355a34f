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

/// Lists the message files of the Maildir at `root` and of every Maildir below it, with
/// their sizes, in a stable order (folder, then file name).
pub(crate) fn maildir_files(root: &Path) -> Result<Vec<(PathBuf, u64)>, Error> {
    let mut files = Vec::new();
    collect(root, &mut files)?;
    Ok(files)
}

fn collect(dir: &Path, files: &mut Vec<(PathBuf, u64)>) -> Result<(), Error> {
    for sub in ["cur", "new"] {
        let folder = dir.join(sub);
        if !folder.is_dir() {
            continue;
        }
        // One `stat` per file gives both its kind and its size; a Maildir can hold
        // hundreds of thousands of files.
        for path in sorted_entries(&folder)? {
            // A broken symbolic link is not a message, as a folder is not.
            match std::fs::metadata(&path) {
                Ok(metadata) if metadata.is_file() => files.push((path, metadata.len())),
                _ => {}
            }
        }
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

/// Lists the paths in `dir`, sorted by name.
pub(super) fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        entries.push((entry.file_name(), entry.path()));
    }
    // The entries share a parent, so comparing names orders them as comparing paths would,
    // without splitting every path into components.
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(entries.into_iter().map(|(_, path)| path).collect())
}
