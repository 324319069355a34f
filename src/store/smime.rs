//! S/MIME tables: trust anchors and CRLs, sealed private keys, per-message results and
//! the secure-partner registry.

use jiff::Timestamp;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::{Error, Store};
use crate::message::ParsedMessage;
use crate::smime::vault::SealedKey;
use crate::smime::{Cert, Crl, Processed, SmimeReport, TrustStore, Verdict};

/// A row of `smime_keys`: id, fingerprint, subject, addresses JSON, expiry, certificate
/// DER and sealed key JSON.
type KeyRow = (i64, String, String, String, String, Vec<u8>, String);

/// A row of `smime_results`: report JSON, content, content summary JSON and check time.
type ResultRow = (String, Option<Vec<u8>>, Option<String>, String);

/// A trust anchor or CRL the user added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustEntry {
    /// Row id.
    pub id: i64,
    /// `anchor` or `crl`.
    pub kind: String,
    /// SHA-256 of the DER, hex.
    pub fingerprint: String,
    /// Subject of the certificate, or issuer of the CRL.
    pub subject: String,
    /// When it was added, RFC 3339.
    pub added_at: String,
}

/// A stored key: its certificate in clear and the sealed private key.
#[derive(Debug, Clone)]
pub struct StoredKey {
    /// Row id.
    pub id: i64,
    /// SHA-256 fingerprint of the certificate, hex.
    pub fingerprint: String,
    /// Certificate subject.
    pub subject: String,
    /// Email addresses of the certificate.
    pub addresses: Vec<String>,
    /// Certificate expiry, RFC 3339.
    pub not_after: String,
    /// Certificate DER.
    pub cert_der: Vec<u8>,
    /// The sealed PKCS#8 key.
    pub sealed: SealedKey,
}

/// The stored S/MIME result of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredSmime {
    /// The report.
    pub report: SmimeReport,
    /// The innermost content as received inside the layers (signed content or plaintext).
    #[serde(skip)]
    pub content: Option<Vec<u8>>,
    /// The parsed summary of that content.
    pub content_summary: Option<ParsedMessage>,
    /// When the result was computed, RFC 3339.
    pub checked_at: String,
}

/// An entry of the secure-partner registry: an address with a verified S/MIME certificate
/// harvested from signed mail, or an imported domain (enforced TLS) or address (S/MIME).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurePartner {
    /// The address, or the domain of a `tls` entry; lowercase.
    pub entry: String,
    /// `smime` or `tls`.
    pub method: String,
    /// `signed-mail` (harvested from a verified signature) or `import`.
    pub source: String,
    /// SHA-256 fingerprint of the certificate, for a harvested entry.
    pub fingerprint: Option<String>,
    /// Certificate subject, for a harvested entry.
    pub subject: Option<String>,
    /// Certificate expiry, RFC 3339, for a harvested entry.
    pub not_after: Option<String>,
    /// The date the entry was verified, `YYYY-MM-DD`, for an imported entry.
    pub verified_on: Option<String>,
    /// For a harvested entry, the first message time the certificate was seen with a valid
    /// signature; for an imported one, when it was first imported. RFC 3339.
    pub first_seen: String,
    /// The last such time, RFC 3339.
    pub last_seen: String,
}

impl Store {
    /// Adds trust anchors and CRLs and returns how many were new.
    pub fn add_trust(&mut self, certs: &[Cert], crls: &[Crl]) -> Result<usize, Error> {
        let now = Timestamp::now().to_string();
        let tx = self.conn.transaction()?;
        let mut added = 0;
        for cert in certs {
            added += tx.execute(
                "INSERT OR IGNORE INTO smime_trust (kind, fingerprint, subject, der, added_at) VALUES ('anchor', ?1, ?2, ?3, ?4)",
                params![cert.fingerprint(), cert.subject(), cert.der, now],
            )?;
        }
        for crl in crls {
            added += tx.execute(
                "INSERT OR IGNORE INTO smime_trust (kind, fingerprint, subject, der, added_at) VALUES ('crl', ?1, ?2, ?3, ?4)",
                params![crate::message::sha256_hex(&crl.der), crl.issuer(), crl.der, now],
            )?;
        }
        tx.commit()?;
        Ok(added)
    }

    /// Lists the trust anchors and CRLs.
    pub fn trust_entries(&self) -> Result<Vec<TrustEntry>, Error> {
        let mut stmt = self.conn.prepare(
            "SELECT id, kind, fingerprint, subject, added_at FROM smime_trust ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], |row| {
                Ok(TrustEntry {
                    id: row.get(0)?,
                    kind: row.get(1)?,
                    fingerprint: row.get(2)?,
                    subject: row.get(3)?,
                    added_at: row.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Removes the trust entries whose fingerprint starts with `prefix` and returns how many
    /// were removed.
    pub fn remove_trust(&mut self, prefix: &str) -> Result<usize, Error> {
        let pattern = format!("{}%", prefix.to_ascii_lowercase().replace(['%', '_'], ""));
        Ok(self.conn.execute(
            "DELETE FROM smime_trust WHERE fingerprint LIKE ?1",
            [pattern],
        )?)
    }

    /// Loads the trust store. Entries that no longer decode are skipped with a warning.
    pub fn trust_store(&self) -> Result<TrustStore, Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT kind, der FROM smime_trust ORDER BY id")?;
        let rows: Vec<(String, Vec<u8>)> = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut trust = TrustStore::default();
        for (kind, der) in rows {
            match kind.as_str() {
                "anchor" => match Cert::from_der(&der) {
                    Ok(cert) => trust.anchors.push(cert),
                    Err(_) => {
                        tracing::warn!("a stored trust anchor does not decode and was skipped")
                    }
                },
                _ => match Crl::from_der(&der) {
                    Ok(crl) => trust.crls.push(crl),
                    Err(_) => tracing::warn!("a stored CRL does not decode and was skipped"),
                },
            }
        }
        Ok(trust)
    }

    /// Stores a sealed key with its certificate, replacing an earlier copy for the same
    /// certificate.
    pub fn save_key(&mut self, cert: &Cert, sealed: &SealedKey) -> Result<i64, Error> {
        let (_, not_after) = cert.validity();
        let sealed = serde_json::to_string(sealed).expect("sealed keys serialize");
        let addresses = serde_json::to_string(&cert.email_addresses()).expect("strings serialize");
        self.conn.execute(
            "INSERT INTO smime_keys (fingerprint, subject, addresses_json, not_after, cert_der, sealed_json, added_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
             ON CONFLICT (fingerprint) DO UPDATE SET sealed_json = excluded.sealed_json, added_at = excluded.added_at",
            params![
                cert.fingerprint(),
                cert.subject(),
                addresses,
                not_after.to_string(),
                cert.der,
                sealed,
                Timestamp::now().to_string()
            ],
        )?;
        Ok(self.conn.query_row(
            "SELECT id FROM smime_keys WHERE fingerprint = ?1",
            [cert.fingerprint()],
            |row| row.get(0),
        )?)
    }

    /// Lists the stored keys (sealed).
    pub fn keys(&self) -> Result<Vec<StoredKey>, Error> {
        let mut stmt = self.conn.prepare(
            "SELECT id, fingerprint, subject, addresses_json, not_after, cert_der, sealed_json FROM smime_keys ORDER BY id",
        )?;
        let rows: Vec<KeyRow> = stmt
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
        rows.into_iter()
            .map(
                |(id, fingerprint, subject, addresses, not_after, cert_der, sealed)| {
                    Ok(StoredKey {
                        id,
                        fingerprint,
                        subject,
                        addresses: from_json("smime_keys.addresses_json", &addresses)?,
                        not_after,
                        cert_der,
                        sealed: from_json("smime_keys.sealed_json", &sealed)?,
                    })
                },
            )
            .collect()
    }

    /// Saves the S/MIME results of messages in one transaction, and records the
    /// certificates of intact, trusted signers whose address matches From in the
    /// secure-partner registry. `seen_at` is the message's receipt time.
    pub fn save_smime_results(
        &mut self,
        results: &[(i64, &Processed, Option<Timestamp>)],
    ) -> Result<(), Error> {
        let tx = self.conn.transaction()?;
        for (message_id, processed, seen_at) in results {
            let report = &processed.report;
            let summary = processed.content.as_deref().and_then(|content| {
                match crate::message::parse(content, None) {
                    crate::message::Parsed::Message(parsed) => Some(parsed),
                    crate::message::Parsed::Quarantined { .. } => None,
                }
            });
            tx.execute(
                "INSERT INTO smime_results (message_id, verdict, report_json, content, content_json, checked_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT (message_id) DO UPDATE SET verdict = excluded.verdict, report_json = excluded.report_json, \
                 content = excluded.content, content_json = excluded.content_json, checked_at = excluded.checked_at",
                params![
                    message_id,
                    verdict_name(report.verdict),
                    serde_json::to_string(report).expect("reports serialize"),
                    processed.content,
                    summary.as_ref().map(|s| serde_json::to_string(s).expect("summaries serialize")),
                    report.checked_at.to_string(),
                ],
            )?;
            if summary.is_some() {
                super::search::reindex(&tx, *message_id)?;
            }
            let seen = seen_at.unwrap_or(report.checked_at).to_string();
            for signer in report.signers() {
                let (Some(address), Some(der), true) = (
                    &signer.address,
                    &signer.certificate_der,
                    signer.intact && signer.trusted && signer.address_matches_from,
                ) else {
                    continue;
                };
                let Ok(cert) = Cert::from_der(der) else {
                    continue;
                };
                let (_, not_after) = cert.validity();
                tx.execute(
                    "INSERT INTO secure_partners (entry, method, source, fingerprint, subject, not_after, cert_der, first_seen, last_seen, message_id) \
                     VALUES (?1, 'smime', 'signed-mail', ?2, ?3, ?4, ?5, ?6, ?6, ?7) \
                     ON CONFLICT (entry, method, source, fingerprint) DO UPDATE SET \
                     first_seen = min(first_seen, excluded.first_seen), \
                     last_seen = max(last_seen, excluded.last_seen), \
                     message_id = CASE WHEN excluded.last_seen >= last_seen THEN excluded.message_id ELSE message_id END",
                    params![address.to_ascii_lowercase(), cert.fingerprint(), cert.subject(), not_after.to_string(), cert.der, seen, message_id],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Returns the stored S/MIME result of message `id`, if one was computed.
    pub fn smime_result(&self, id: i64) -> Result<Option<StoredSmime>, Error> {
        let row: Option<ResultRow> = self
            .conn
            .query_row(
                "SELECT report_json, content, content_json, checked_at FROM smime_results WHERE message_id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()?;
        let Some((report, content, summary, checked_at)) = row else {
            return Ok(None);
        };
        Ok(Some(StoredSmime {
            report: from_json("smime_results.report_json", &report)?,
            content,
            content_summary: summary
                .map(|s| from_json("smime_results.content_json", &s))
                .transpose()?,
            checked_at,
        }))
    }

    /// Lists the secure-partner registry, by entry, newest first for each entry.
    pub fn secure_partners(&self) -> Result<Vec<SecurePartner>, Error> {
        let mut stmt = self.conn.prepare(
            "SELECT entry, method, source, fingerprint, subject, not_after, verified_on, first_seen, last_seen \
             FROM secure_partners ORDER BY entry, method, last_seen DESC",
        )?;
        let rows = stmt
            .query_map([], |row| {
                Ok(SecurePartner {
                    entry: row.get(0)?,
                    method: row.get(1)?,
                    source: row.get(2)?,
                    fingerprint: row
                        .get::<_, String>(3)
                        .map(|f| Some(f).filter(|f| !f.is_empty()))?,
                    subject: row.get(4)?,
                    not_after: row.get(5)?,
                    verified_on: row.get(6)?,
                    first_seen: row.get(7)?,
                    last_seen: row.get(8)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

/// Returns the stored name of a verdict.
pub fn verdict_name(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::NotSmime => "not-smime",
        Verdict::Unreadable => "unreadable",
        Verdict::Verified => "verified",
        Verdict::AddressMismatch => "address-mismatch",
        Verdict::Untrusted => "untrusted",
        Verdict::Broken => "broken",
        Verdict::EncryptedOnly => "encrypted-only",
    }
}

fn from_json<T: serde::de::DeserializeOwned>(column: &'static str, text: &str) -> Result<T, Error> {
    serde_json::from_str(text).map_err(|source| Error::CorruptValue { column, source })
}

impl Store {
    /// Returns the ids of the messages with a stored S/MIME result whose stored copy was not
    /// deleted, in id order.
    pub fn smime_message_ids(&self) -> Result<Vec<i64>, Error> {
        let mut stmt = self.conn.prepare(
            "SELECT r.message_id FROM smime_results r \
             WHERE NOT EXISTS (SELECT 1 FROM message_deletions d WHERE d.message_id = r.message_id) \
             ORDER BY r.message_id",
        )?;
        let ids = stmt
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }
}
