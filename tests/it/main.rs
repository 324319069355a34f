//! Integration tests of the core library, one module per area.

mod calendar;
mod cases;
mod cli;
mod corpus;
mod drafts;
mod import;
mod smime;
mod sopp;

use std::path::{Path, PathBuf};

use regmail::import::{ImportOptions, ImportReport};
use regmail::store::Store;

/// Returns the path of a fixture under `tests/fixtures`.
pub fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

/// Returns the folder of the third-party mail corpus, which is read in place:
/// `REGMAIL_CORPUS`, or `../shared/corpus` beside the repository. A missing corpus fails
/// the test run instead of skipping it.
pub fn corpus_dir() -> PathBuf {
    let dir = std::env::var_os("REGMAIL_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    assert!(
        dir.join("MANIFEST.md").is_file(),
        "the mail corpus is missing at {}; set REGMAIL_CORPUS to its folder",
        dir.display()
    );
    dir
}

/// Imports `paths` into `store` with default options.
pub fn import_into(store: &mut Store, paths: &[PathBuf]) -> ImportReport {
    import_with(store, paths, ImportOptions::default())
}

/// Imports `paths` into `store` with `options`.
pub fn import_with(store: &mut Store, paths: &[PathBuf], options: ImportOptions) -> ImportReport {
    let plan = regmail::import::plan(paths).expect("plan import");
    regmail::import::run(store, plan, options, &mut |_| {}).expect("import")
}

/// Opens a fresh in-memory store.
pub fn memory_store() -> Store {
    Store::open_in_memory().expect("open in-memory store")
}
