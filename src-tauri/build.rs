// Every app command gets an `allow-<command>` permission, so the capability file can list
// exactly the commands the UI may call.
const COMMANDS: &[&str] = &[
    "start_import",
    "import_status",
    "queue_order",
    "queue_rows",
    "get_message",
    "save_attachment",
    "open_attachment",
    "preview_decision",
    "save_decision",
    "open_reply",
    "check_reply",
    "export_reply",
    "list_tasks",
    "message_tasks",
    "complete_task",
    "message_audit",
    "get_settings",
    "save_settings",
    "list_directory",
    "import_directory",
    "save_directory_entry",
    "list_closures",
    "add_closure",
    "remove_closures",
    "list_alerts",
    "acknowledge_alerts",
    "message_smime",
    "list_keys",
    "import_key",
    "unlock_keys",
    "lock_keys",
    "list_trust",
    "add_trust",
    "remove_trust",
    "recheck_smime",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
