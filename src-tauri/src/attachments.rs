//! Attachment file names made safe for the local file system.
//!
//! A name in a message is chosen by its sender, so it never becomes a path as it is: it is
//! reduced to a plain file name before an attachment is written to the private folder.

use std::path::{Path, PathBuf};

/// The longest file name produced, in characters, well under the 255-byte limit of common
/// file systems.
const MAX_NAME_CHARS: usize = 100;

/// Returns a file name for an attachment named `name`: letters, digits, spaces, `-`, `_`,
/// `.`, `(` and `)` only, no leading dot, at most 100 characters, and a fallback built
/// from `index` when nothing usable is left.
pub fn safe_file_name(name: Option<&str>, index: u32) -> String {
    let cleaned: String = name
        .unwrap_or("")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    if trimmed.is_empty() || trimmed.chars().all(|c| c == '_' || c == '.') {
        return format!("attachment-{}", index + 1);
    }
    let chars: Vec<char> = trimmed.chars().collect();
    if chars.len() <= MAX_NAME_CHARS {
        return trimmed.to_owned();
    }
    // Keep the extension, which tells the system viewer what the file is.
    let extension: String = match trimmed.rfind('.') {
        Some(dot) if trimmed.len() - dot <= 10 => trimmed[dot..].to_owned(),
        _ => String::new(),
    };
    let keep = MAX_NAME_CHARS - extension.chars().count();
    chars[..keep].iter().collect::<String>() + &extension
}

/// Writes `contents` to a new folder for this message and attachment inside `private_dir`
/// and returns the file's path.
pub fn write_private(
    private_dir: &Path,
    message_id: i64,
    index: u32,
    name: Option<&str>,
    contents: &[u8],
) -> std::io::Result<PathBuf> {
    let folder = private_dir.join(format!("{message_id}-{index}"));
    std::fs::create_dir_all(&folder)?;
    let path = folder.join(safe_file_name(name, index));
    std::fs::write(&path, contents)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_separators_are_replaced() {
        assert_eq!(
            safe_file_name(Some("../../etc/passwd"), 0),
            "_.._etc_passwd"
        );
        assert_eq!(safe_file_name(Some("..\\..\\boot.ini"), 0), "_.._boot.ini");
        assert_eq!(safe_file_name(Some("/abs/path.pdf"), 0), "_abs_path.pdf");
    }

    #[test]
    fn hidden_and_empty_names_fall_back() {
        assert_eq!(safe_file_name(Some(".bashrc"), 0), "bashrc");
        assert_eq!(safe_file_name(Some(".."), 2), "attachment-3");
        assert_eq!(safe_file_name(None, 0), "attachment-1");
        assert_eq!(safe_file_name(Some("   "), 1), "attachment-2");
    }

    #[test]
    fn long_names_keep_their_extension() {
        let long = format!("{}.pdf", "a".repeat(300));

        let name = safe_file_name(Some(&long), 0);

        assert_eq!(name.chars().count(), MAX_NAME_CHARS);
        assert!(name.ends_with(".pdf"), "{name}");
    }

    #[test]
    fn ordinary_names_are_kept() {
        assert_eq!(
            safe_file_name(Some("Cover letter (v2).pdf"), 0),
            "Cover letter (v2).pdf"
        );
        assert_eq!(safe_file_name(Some("Étiquette.docx"), 0), "Étiquette.docx");
    }

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(safe_file_name(Some("a\u{0}b\nc.txt"), 0), "a_b_c.txt");
    }

    #[test]
    fn written_file_stays_inside_private_dir() {
        let dir = tempfile::tempdir().unwrap();

        let path = write_private(dir.path(), 4, 0, Some("../../escape.txt"), b"data").unwrap();

        assert!(path.starts_with(dir.path()), "{}", path.display());
        assert_eq!(std::fs::read(&path).unwrap(), b"data");
    }
}
