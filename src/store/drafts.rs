//! Storage of outgoing regulatory email: the settings of drafting, entries imported into the
//! secure-partner registry, and the record copies of exported drafts. Each write appends
//! its audit entry in the same transaction.

use jiff::Timestamp;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::sopp::{append_audit, AuditStep};
use super::{Error, Store};
use crate::drafts::partners::{ImportedPartner, PartnerEntry, PartnerMethod, PartnerSource};
use crate::drafts::settings::{DraftSettingKey, DraftSettings, InvalidSetting};
use crate::drafts::{Draft, Export, Finding, PartnerRegistry};

/// A row of `secure_partners` as the checks read it: entry, method, source, verified
/// date, certificate expiry, fingerprint and last time seen.
type PartnerRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
);

/// A record copy to save: an exported draft with what the reviewer recorded about it.
#[derive(Debug, Clone, Copy)]
pub struct NewRecordCopy<'a> {
    /// The draft as exported.
    pub draft: &'a Draft,
    /// The exported bytes and their hash.
    pub export: &'a Export,
    /// The warnings the reviewer exported the draft with (no finding may block).
    pub warnings: &'a [Finding],
    /// The file the bytes were written to, if any.
    pub path: Option<&'a str>,
    /// The user who exported it.
    pub user: &'a str,
    /// When.
    pub at: Timestamp,
}

/// A stored record copy, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordCopy {
    /// Row id.
    pub id: i64,
    /// The message replied to.
    pub message_id: Option<i64>,
    /// The template name.
    pub template: Option<String>,
    /// The template version.
    pub template_version: Option<u32>,
    /// The subject.
    pub subject: String,
    /// The From address.
    pub from: String,
    /// The To addresses.
    pub to: Vec<String>,
    /// The Cc addresses.
    pub cc: Vec<String>,
    /// The Bcc addresses.
    pub bcc: Vec<String>,
    /// The submission the draft is about.
    pub stn: Option<String>,
    /// The V.A.1.a exception recorded, if any.
    pub exception: Option<String>,
    /// `email` or `telecon` (SOPP 8119 VII.B.2).
    pub communication_type: String,
    /// Whether the email is to be uploaded to CER; `false` for the covering email of a
    /// PIV-signed letter (SOPP 8119 V.C.5).
    pub cer_upload: bool,
    /// The rules of the warnings it was exported with.
    pub warnings: Vec<String>,
    /// The `Message-ID` of the exported message.
    pub rfc_message_id: String,
    /// SHA-256 of the exported bytes.
    pub sha256: String,
    /// The size of the exported bytes.
    pub size: u64,
    /// The file written, if any.
    pub exported_path: Option<String>,
    /// The user who exported it.
    pub created_by: String,
    /// When, RFC 3339 UTC.
    pub created_at: String,
}

/// Errors changing a setting of drafting.
#[derive(Debug, thiserror::Error)]
pub enum SettingError {
    /// The value does not fit the setting.
    #[error(transparent)]
    Invalid(#[from] InvalidSetting),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] Error),
}

const RECORD_COLUMNS: &str = "id, message_id, template, template_version, subject, from_address, \
     to_json, cc_json, bcc_json, stn, exception, communication_type, cer_upload, warnings_json, \
     rfc_message_id, sha256, length(bytes), exported_path, created_by, created_at";

fn addresses(mailboxes: &[crate::sopp::facts::Mailbox]) -> Vec<String> {
    mailboxes.iter().map(|m| m.address.clone()).collect()
}

impl Store {
    /// Returns the settings of drafting, with the defaults for those never saved.
    ///
    /// # Errors
    ///
    /// Returns [`Error::CorruptValue`] when a stored value is not a JSON string, and
    /// [`Error::CorruptSetting`] when it does not fit its setting.
    pub fn draft_settings(&self) -> Result<DraftSettings, Error> {
        let mut settings = DraftSettings::default();
        for key in DraftSettingKey::ALL {
            let Some(json) = self.setting(key.as_str())? else {
                continue;
            };
            let value: String =
                serde_json::from_str(&json).map_err(|source| Error::CorruptValue {
                    column: "app_settings.value",
                    source,
                })?;
            key.apply(&mut settings, &value)
                .map_err(|source| Error::CorruptSetting { source })?;
        }
        Ok(settings)
    }

    /// Changes setting `key` to `value` (as written on the command line), records the change
    /// in the audit log, and returns the settings in force.
    ///
    /// # Errors
    ///
    /// Returns [`SettingError::Invalid`] when the value does not fit the setting.
    pub fn save_draft_setting(
        &mut self,
        key: DraftSettingKey,
        value: &str,
        user: &str,
        at: Timestamp,
    ) -> Result<DraftSettings, SettingError> {
        let mut settings = self.draft_settings()?;
        let previous = key.value_in(&settings);
        key.apply(&mut settings, value)?;
        let stored = key.value_in(&settings);
        let tx = self.conn.transaction().map_err(Error::from)?;
        tx.execute(
            "INSERT INTO app_settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![
                key.as_str(),
                serde_json::to_string(&stored).expect("a string serializes")
            ],
        )
        .map_err(Error::from)?;
        append_audit(
            &tx,
            at,
            AuditStep {
                user,
                action: "setting-changed",
                message_id: None,
                task_id: None,
                section: None,
                detail: serde_json::json!({ "key": key.as_str(), "from": previous, "to": stored }),
            },
        )?;
        tx.commit().map_err(Error::from)?;
        Ok(settings)
    }

    /// Adds or refreshes imported entries of the secure-partner registry and records the
    /// import in the audit log. Returns the number of entries written.
    pub fn import_partners(
        &mut self,
        partners: &[ImportedPartner],
        user: &str,
        at: Timestamp,
    ) -> Result<usize, Error> {
        let now = at.to_string();
        let tx = self.conn.transaction()?;
        for partner in partners {
            tx.execute(
                "INSERT INTO secure_partners (entry, method, source, fingerprint, verified_on, first_seen, last_seen, added_by)
                 VALUES (?1, ?2, 'import', '', ?3, ?4, ?4, ?5)
                 ON CONFLICT (entry, method, source, fingerprint) DO UPDATE SET
                     verified_on = excluded.verified_on, last_seen = excluded.last_seen,
                     added_by = excluded.added_by",
                params![
                    partner.entry,
                    partner.method.as_str(),
                    partner.verified_on.to_string(),
                    now,
                    user
                ],
            )?;
        }
        let entries: Vec<String> = partners
            .iter()
            .map(|p| format!("{} ({})", p.entry, p.method.as_str()))
            .collect();
        append_audit(
            &tx,
            at,
            AuditStep {
                user,
                action: "partners-import",
                message_id: None,
                task_id: None,
                section: Some("V.A.1.b"),
                detail: serde_json::json!({ "entries": entries }),
            },
        )?;
        tx.commit()?;
        Ok(partners.len())
    }

    /// Returns the secure-partner registry for the checks: harvested certificates and
    /// imported entries.
    ///
    /// # Errors
    ///
    /// Returns [`Error::CorruptPartner`] when a row has an unknown method or source, or an
    /// unreadable date.
    pub fn partner_registry(&self) -> Result<PartnerRegistry, Error> {
        let mut statement = self.conn.prepare(
            "SELECT entry, method, source, verified_on, not_after, fingerprint, last_seen FROM secure_partners",
        )?;
        let rows: Vec<PartnerRow> = statement
            .query_map([], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut entries = Vec::with_capacity(rows.len());
        for (entry, method, source, verified_on, not_after, fingerprint, last_seen) in rows {
            let corrupt = |detail: String| Error::CorruptPartner {
                entry: entry.clone(),
                detail,
            };
            let method = PartnerMethod::parse(&method)
                .ok_or_else(|| corrupt(format!("unknown method {method:?}")))?;
            let source = PartnerSource::parse(&source)
                .ok_or_else(|| corrupt(format!("unknown source {source:?}")))?;
            let not_after = not_after
                .map(|t| t.parse::<Timestamp>())
                .transpose()
                .map_err(|_| corrupt("unreadable certificate expiry".to_owned()))?;
            let verified_on = match verified_on {
                Some(date) => Some(
                    date.parse()
                        .map_err(|_| corrupt(format!("unreadable date {date:?}")))?,
                ),
                None => last_seen
                    .parse::<Timestamp>()
                    .ok()
                    .map(|t| crate::sopp::clock::in_business_zone(t).date()),
            };
            entries.push(PartnerEntry {
                entry: entry.clone(),
                method,
                source,
                verified_on,
                not_after,
                fingerprint: Some(fingerprint).filter(|f| !f.is_empty()),
            });
        }
        Ok(PartnerRegistry::from_entries(entries))
    }

    /// Returns the ids of the stored messages with the `Message-ID` `message_id` (without
    /// angle brackets), oldest first, skipping deleted ones.
    pub fn messages_with_message_id(&self, message_id: &str) -> Result<Vec<i64>, Error> {
        let mut statement = self.conn.prepare(
            "SELECT m.id FROM messages m
             WHERE m.message_id = ?1
               AND NOT EXISTS (SELECT 1 FROM message_deletions d WHERE d.message_id = m.id)
             ORDER BY m.id",
        )?;
        let ids = statement
            .query_map(
                [message_id
                    .trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')],
                |row| row.get(0),
            )?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// Saves an exported draft as the record copy and records it in the audit log with the
    /// SOPP 8119 IV.E section.
    pub fn save_record_copy(&mut self, record: &NewRecordCopy<'_>) -> Result<RecordCopy, Error> {
        let draft = record.draft;
        let from = draft
            .from
            .as_ref()
            .map(|f| f.address.clone())
            .unwrap_or_default();
        let json = |value: &Vec<String>| serde_json::to_string(value).expect("strings serialize");

        let to = addresses(&draft.to);
        let cc = addresses(&draft.cc);
        let bcc = addresses(&draft.bcc);
        let warnings: Vec<String> = record
            .warnings
            .iter()
            .map(|f| f.rule.as_str().to_owned())
            .collect();
        let cer_upload = !draft.covers_signed_letter();

        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO drafts (message_id, template, template_version, subject, from_address, to_json,
                 cc_json, bcc_json, stn, exception, communication_type, cer_upload, warnings_json,
                 rfc_message_id, sha256, bytes, exported_path, created_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            params![
                draft.message_id,
                draft.template.as_ref().map(|t| t.name.clone()),
                draft.template.as_ref().map(|t| t.version),
                draft.subject,
                from,
                json(&to),
                json(&cc),
                json(&bcc),
                draft.stn,
                draft.exception.map(|e| e.as_str()),
                draft.communication.as_str(),
                cer_upload,
                json(&warnings),
                record.export.message_id,
                record.export.sha256,
                record.export.bytes,
                record.path,
                record.user,
                record.at.to_string(),
            ],
        )?;
        let id = tx.last_insert_rowid();

        append_audit(
            &tx,
            record.at,
            AuditStep {
                user: record.user,
                action: "draft-exported",
                message_id: draft.message_id,
                task_id: None,
                section: Some("IV.E"),
                detail: serde_json::json!({
                    "draft_id": id,
                    "template": draft.template.as_ref().map(|t| format!("{} v{}", t.name, t.version)),
                    "subject": draft.subject,
                    "to": to,
                    "cc": cc,
                    "sha256": record.export.sha256,
                    "communication_type": draft.communication.as_str(),
                    "exception": draft.exception.map(|e| e.as_str()),
                    "exception_section": draft.exception.map(|e| e.section()),
                    "cer_upload": cer_upload,
                    "warnings": warnings,
                    "path": record.path,
                }),
            },
        )?;
        tx.commit()?;
        self.record_copy(id)
    }

    /// Returns record copy `id`, without its bytes.
    pub fn record_copy(&self, id: i64) -> Result<RecordCopy, Error> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM drafts WHERE id = ?1");
        self.conn
            .query_row(&sql, [id], record_from_row)
            .optional()?
            .ok_or(Error::RecordCopyNotFound { id })?
    }

    /// Returns the record copies, of message `message_id` only when given, oldest first.
    pub fn record_copies(&self, message_id: Option<i64>) -> Result<Vec<RecordCopy>, Error> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM drafts WHERE ?1 IS NULL OR message_id = ?1 ORDER BY id"
        );
        let mut statement = self.conn.prepare(&sql)?;
        let rows: Vec<Result<RecordCopy, Error>> = statement
            .query_map([message_id], record_from_row)?
            .collect::<Result<_, _>>()?;
        rows.into_iter().collect()
    }

    /// Returns the exact bytes of record copy `id`.
    pub fn record_copy_bytes(&self, id: i64) -> Result<Vec<u8>, Error> {
        self.conn
            .query_row("SELECT bytes FROM drafts WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()?
            .ok_or(Error::RecordCopyNotFound { id })
    }
}

fn record_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<RecordCopy, Error>> {
    let list = |index: usize,
                column: &'static str|
     -> rusqlite::Result<Result<Vec<String>, Error>> {
        let text: String = row.get(index)?;
        Ok(serde_json::from_str(&text).map_err(|source| Error::CorruptValue { column, source }))
    };
    let to = list(6, "drafts.to_json")?;
    let cc = list(7, "drafts.cc_json")?;
    let bcc = list(8, "drafts.bcc_json")?;
    let warnings = list(13, "drafts.warnings_json")?;
    let build = || -> Result<RecordCopy, Error> {
        Ok(RecordCopy {
            id: row.get(0)?,
            message_id: row.get(1)?,
            template: row.get(2)?,
            template_version: row.get(3)?,
            subject: row.get(4)?,
            from: row.get(5)?,
            to: to?,
            cc: cc?,
            bcc: bcc?,
            stn: row.get(9)?,
            exception: row.get(10)?,
            communication_type: row.get(11)?,
            cer_upload: row.get(12)?,
            warnings: warnings?,
            rfc_message_id: row.get(14)?,
            sha256: row.get(15)?,
            size: row.get::<_, i64>(16)?.unsigned_abs(),
            exported_path: row.get(17)?,
            created_by: row.get(18)?,
            created_at: row.get(19)?,
        })
    };
    Ok(build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drafts::settings::DraftSettingKey;

    #[test]
    fn settings_default_then_saved_and_audited() -> Result<(), SettingError> {
        let mut store = Store::open_in_memory()?;
        assert_eq!(store.draft_settings()?, DraftSettings::default());
        let at: Timestamp = "2025-03-04T15:00:00Z".parse().expect("time");
        let settings = store.save_draft_setting(
            DraftSettingKey::OfficialDomains,
            "fda.hhs.gov,fda.gov",
            "dana",
            at,
        )?;
        assert_eq!(settings.official_domains, ["fda.hhs.gov", "fda.gov"]);
        assert_eq!(
            store.draft_settings()?.official_domains,
            ["fda.hhs.gov", "fda.gov"]
        );
        let log = store.audit_log()?;
        assert_eq!(
            log.last().map(|e| e.entry.action.as_str()),
            Some("setting-changed")
        );
        let err = store
            .save_draft_setting(DraftSettingKey::MaxQuotedMessages, "many", "dana", at)
            .expect_err("not a number");
        assert!(matches!(err, SettingError::Invalid(_)), "{err}");
        Ok(())
    }

    #[test]
    fn imported_partners_are_in_the_registry() -> Result<(), Error> {
        let mut store = Store::open_in_memory()?;
        let at: Timestamp = "2025-03-04T15:00:00Z".parse().expect("time");
        let partners = crate::drafts::partners::parse_partner_list(
            "entry,method,verified_on\nacmebio.example,tls,2025-02-01\nlee.park@ivd-systems.example,smime,2025-02-03\n",
            &DraftSettings::default().isp_domains,
        )
        .expect("list parses");
        assert_eq!(store.import_partners(&partners, "dana", at)?, 2);
        assert_eq!(
            store.import_partners(&partners, "dana", at)?,
            2,
            "re-import refreshes"
        );
        let registry = store.partner_registry()?;
        assert_eq!(registry.entries().len(), 2);
        assert!(matches!(
            registry.lookup("priya.raman@acmebio.example", at),
            crate::drafts::partners::PartnerStatus::Partner(_)
        ));
        let listed = store.secure_partners()?;
        assert_eq!(listed[0].entry, "acmebio.example");
        assert_eq!(listed[0].verified_on.as_deref(), Some("2025-02-01"));
        assert_eq!(listed[0].fingerprint, None);
        Ok(())
    }
}
