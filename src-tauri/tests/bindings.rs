//! The committed TypeScript bindings must match the Rust types and commands.

use std::path::Path;

#[test]
fn bindings_match_the_rust_types() {
    let generated = regmail_desktop::generate_bindings().expect("bindings generate");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(regmail_desktop::BINDINGS_PATH);

    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).expect("bindings file is writable");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();

    assert!(
        committed == generated,
        "{} is out of date with the Rust types; regenerate it with \
         UPDATE_BINDINGS=1 cargo test -p regmail-desktop --test bindings and commit it",
        path.display()
    );
}
