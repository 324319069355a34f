//! The draft editor beside the message: open a reply, check the reviewer's edits, export
//! the record copy.
//!
//! Each Tauri command calls a function of the same name without the `_reply` suffix that
//! takes the [`AppState`], so the tests run the commands on a real store without a window.

use std::path::Path;

use jiff::Timestamp;
use tauri::State;

use regmail::drafts::reply;

use crate::ipc::drafts::{DraftCheckDto, DraftEditDto, RecordCopyDto, ReplyDto};
use crate::ipc::IpcResult;
use crate::state::{self, AppState};

/// Opens a reply to message `message_id` with `template`, or without it with the one
/// template that replies to the message's decision.
#[tauri::command]
#[specta::specta]
pub async fn open_reply(
    state: State<'_, AppState>,
    message_id: i64,
    template: Option<String>,
) -> IpcResult<ReplyDto> {
    open(&state, message_id, template.as_deref())
}

/// Returns the findings of the reply to `message_id` from `template` with `edit` applied.
#[tauri::command]
#[specta::specta]
pub async fn check_reply(
    state: State<'_, AppState>,
    message_id: i64,
    template: String,
    edit: DraftEditDto,
) -> IpcResult<DraftCheckDto> {
    check(&state, message_id, &template, edit)
}

/// Exports the reply to `message_id` from `template` with `edit` applied to `path`, a new
/// file the reviewer chose in a save dialog, and keeps it as the record copy.
#[tauri::command]
#[specta::specta]
pub async fn export_reply(
    state: State<'_, AppState>,
    message_id: i64,
    template: String,
    edit: DraftEditDto,
    path: String,
) -> IpcResult<RecordCopyDto> {
    export(&state, message_id, &template, edit, Path::new(&path))
}

/// Runs [`open_reply`].
pub fn open(state: &AppState, message_id: i64, template: Option<&str>) -> IpcResult<ReplyDto> {
    let opened = reply::open_reply(&state.store(), message_id, template, Timestamp::now())?;
    Ok(ReplyDto::new(message_id, opened))
}

/// Runs [`check_reply`].
pub fn check(
    state: &AppState,
    message_id: i64,
    template: &str,
    edit: DraftEditDto,
) -> IpcResult<DraftCheckDto> {
    let edit = edit.into();
    let checked = reply::check_reply(
        &state.store(),
        message_id,
        template,
        &edit,
        Timestamp::now(),
    )?;
    Ok(checked.into())
}

/// Runs [`export_reply`].
pub fn export(
    state: &AppState,
    message_id: i64,
    template: &str,
    edit: DraftEditDto,
    path: &Path,
) -> IpcResult<RecordCopyDto> {
    let edit = edit.into();
    let mut store = state.store();
    let user = state::load_settings(&store)?.user();
    let (_, record) = reply::export_reply(
        &mut store,
        message_id,
        template,
        &edit,
        path,
        &user,
        Timestamp::now(),
    )?;
    Ok(record.into())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use regmail::drafts::partners::parse_partner_list;
    use regmail::import::{self, ImportOptions};
    use regmail::sopp::{triage, Answers, Directory, Settings};

    use super::*;
    use crate::ipc::drafts::{ExceptionDto, SeverityDto};
    use crate::ipc::settings::SettingsDto;
    use crate::ipc::ErrorCode;

    const REVIEWER: &str = "dana.whitfield@fda.hhs.gov";

    fn scenarios() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/sopp/scenarios")
    }

    /// Returns the app state over a new store with the rpm-missing scenario triaged as
    /// agreed by email, the RPM directory and the reviewer's settings, and the message id.
    fn setup(dir: &Path) -> (AppState, i64) {
        let state = AppState::open(&dir.join("regmail.db")).expect("store opens");
        let id = {
            let mut store = state.store();
            let plan = import::plan(&[scenarios().join("rpm-missing.eml")]).expect("plan");
            import::run(&mut store, plan, ImportOptions::default(), &mut |_| {}).expect("import");
            let csv = std::fs::read_to_string(scenarios().join("directory.csv")).expect("csv");
            let directory = Directory::parse_csv(&csv).expect("directory parses");
            store
                .import_directory(&directory, "dana", Timestamp::now())
                .expect("directory imports");
            let id = store
                .messages_with_message_id("rpm-missing@acmebio.example")
                .expect("lookup")[0];
            let answers = Answers::parse_pairs(["kind=agreed"]).expect("answers");
            triage::triage(
                &mut store,
                id,
                &answers,
                &Settings::default(),
                "dana",
                Timestamp::now(),
            )
            .expect("triage");
            let settings = SettingsDto {
                reviewer_name: "Dana Whitfield".to_owned(),
                reviewer_email: REVIEWER.to_owned(),
                ..SettingsDto::default()
            };
            state::save_settings(&mut store, &settings).expect("settings save");
            id
        };
        (state, id)
    }

    fn add_partner(state: &AppState) {
        let mut store = state.store();
        let isp = store.draft_settings().expect("settings").isp_domains;
        let partners = parse_partner_list(
            "entry,method,verified_on\nacmebio.example,tls,2025-01-15\n",
            &isp,
        )
        .expect("partners parse");
        store
            .import_partners(&partners, "dana", Timestamp::now())
            .expect("partners import");
    }

    fn blocking_rules(check: &DraftCheckDto) -> Vec<&str> {
        check
            .findings
            .iter()
            .filter(|f| f.severity == SeverityDto::Blocking)
            .map(|f| f.rule.as_str())
            .collect()
    }

    #[test]
    fn open_fills_the_suggested_template() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (state, id) = setup(dir.path());

        let reply = open(&state, id, None).expect("opens");

        assert_eq!(reply.suggested, ["include-rpm"]);
        assert_eq!(reply.disposition, "accept");
        assert_eq!(reply.exceptions.len(), 5);
        let draft = reply.draft.expect("one template replies");
        assert_eq!(draft.template, "include-rpm");
        assert_eq!(draft.from, format!("Dana Whitfield <{REVIEWER}>"));
        assert_eq!(draft.edit.to, "Priya Raman <priya.raman@acmebio.example>");
        assert_eq!(draft.edit.cc, "Marcus Ortega <marcus.ortega@fda.hhs.gov>");
        assert!(
            draft.edit.subject.starts_with("STN 125742/0"),
            "{}",
            draft.edit.subject
        );
        assert_eq!(draft.stn.as_deref(), Some("STN 125742/0"));
    }

    #[test]
    fn open_with_unknown_template_is_invalid_input() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (state, id) = setup(dir.path());

        let err = open(&state, id, Some("no-such-template")).expect_err("unknown");

        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(err.message.contains("no-such-template"), "{}", err.message);
    }

    #[test]
    fn open_unknown_message_is_not_found() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (state, _) = setup(dir.path());

        let err = open(&state, 999, None).expect_err("no message");

        assert_eq!(err.code, ErrorCode::NotFound);
    }

    #[test]
    fn check_follows_the_edits() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (state, id) = setup(dir.path());
        let draft = open(&state, id, None).expect("opens").draft.expect("draft");
        let mut edit = draft.edit.clone();

        let unsecured = check(&state, id, "include-rpm", edit.clone()).expect("checks");
        edit.exception = Some(ExceptionDto::GeneralInformation);
        let excepted = check(&state, id, "include-rpm", edit.clone()).expect("checks");
        edit.exception = None;
        edit.cc = String::new();
        add_partner(&state);
        let without_rpm = check(&state, id, "include-rpm", edit.clone()).expect("checks");
        edit.cc = draft.edit.cc.clone();
        let fixed = check(&state, id, "include-rpm", edit).expect("checks");

        assert_eq!(blocking_rules(&unsecured), ["secure-email"]);
        assert_eq!(unsecured.blocking, 1);
        assert_eq!(blocking_rules(&excepted), Vec::<&str>::new());
        assert_eq!(blocking_rules(&without_rpm), ["rpm-cc"]);
        assert_eq!(without_rpm.findings[0].section, "VII.B.1");
        assert_eq!(fixed.blocking, 0);
    }

    #[test]
    fn check_reports_invalid_addresses() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (state, id) = setup(dir.path());
        let mut edit = open(&state, id, None)
            .expect("opens")
            .draft
            .expect("draft")
            .edit;
        edit.to = "priya.raman@".to_owned();

        let checked = check(&state, id, "include-rpm", edit).expect("checks");

        assert_eq!(checked.invalid_addresses.len(), 1);
        assert_eq!(checked.invalid_addresses[0].field, "to");
        assert_eq!(checked.invalid_addresses[0].value, "priya.raman@");
    }

    #[test]
    fn export_is_refused_while_a_finding_blocks() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (state, id) = setup(dir.path());
        let edit = open(&state, id, None)
            .expect("opens")
            .draft
            .expect("draft")
            .edit;
        let path = dir.path().join("reply.eml");

        let err = export(&state, id, "include-rpm", edit, &path).expect_err("blocked");

        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(err.message.contains("secure-email"), "{}", err.message);
        assert!(!path.exists());
    }

    #[test]
    fn export_writes_the_record_copy() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (state, id) = setup(dir.path());
        add_partner(&state);
        let edit = open(&state, id, None)
            .expect("opens")
            .draft
            .expect("draft")
            .edit;
        let path = dir.path().join("reply.eml");

        let record = export(&state, id, "include-rpm", edit.clone(), &path).expect("exports");
        let again = export(&state, id, "include-rpm", edit, &path).expect_err("file exists");

        let bytes = std::fs::read(&path).expect("file written");
        assert_eq!(record.sha256, regmail::message::sha256_hex(&bytes));
        assert_eq!(record.path, path.display().to_string());
        assert_eq!(record.communication_type, "email");
        assert_eq!(record.size, bytes.len() as u64);
        assert_eq!(again.code, ErrorCode::Io);
        let records = state.store().record_copies(Some(id)).expect("records");
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].created_by, REVIEWER);
    }
}
