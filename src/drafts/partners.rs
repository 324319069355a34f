//! The secure-email partner registry as the checks see it: domains with enforced TLS and
//! addresses with an S/MIME certificate, harvested from verified signed mail or imported
//! from a CSV list (SOPP 8119 V.A.1, V.A.1.b, V.C.1).
//!
//! The registry lives in the store's `secure_partners` table, which the S/MIME import fills
//! with the certificates of verified signers. This module parses the CSV list and looks
//! recipients up in the registry. Reading and writing the table is the store's job.

use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::settings::{is_address, is_domain};
use super::{domain_of, domain_within};

/// The CSV columns of an imported partner list, in order.
pub const COLUMNS: [&str; 3] = ["entry", "method", "verified_on"];

/// The method a partner uses to secure email with FDA (SOPP 8119 Appendix A).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartnerMethod {
    /// Enforced TLS between the partner's mail servers and FDA's, set up per domain.
    Tls,
    /// S/MIME encryption, set up per address with a certificate.
    Smime,
}

impl PartnerMethod {
    /// Returns the name used in the CSV list and the store (`tls`, `smime`).
    pub fn as_str(self) -> &'static str {
        match self {
            PartnerMethod::Tls => "tls",
            PartnerMethod::Smime => "smime",
        }
    }

    /// Parses a stored or written method name.
    pub fn parse(text: &str) -> Option<PartnerMethod> {
        match text.trim().to_ascii_lowercase().as_str() {
            "tls" => Some(PartnerMethod::Tls),
            "smime" | "s/mime" => Some(PartnerMethod::Smime),
            _ => None,
        }
    }
}

/// The origin of a registry entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartnerSource {
    /// The certificate of an intact, trusted signature whose address matched From.
    SignedMail,
    /// An imported list, such as the result of the JA 820.05 verification.
    Import,
}

impl PartnerSource {
    /// Returns the stored name (`signed-mail`, `import`).
    pub fn as_str(self) -> &'static str {
        match self {
            PartnerSource::SignedMail => "signed-mail",
            PartnerSource::Import => "import",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<PartnerSource> {
        match text {
            "signed-mail" => Some(PartnerSource::SignedMail),
            "import" => Some(PartnerSource::Import),
            _ => None,
        }
    }
}

/// One entry of the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerEntry {
    /// A domain for [`PartnerMethod::Tls`], an address for [`PartnerMethod::Smime`];
    /// lowercase.
    pub entry: String,
    /// The method the partner uses.
    pub method: PartnerMethod,
    /// The origin of the entry.
    pub source: PartnerSource,
    /// When the entry was verified: the import's `verified_on`, or the date of the last
    /// verified signed message.
    pub verified_on: Option<Date>,
    /// When the S/MIME certificate expires, for a harvested entry.
    pub not_after: Option<Timestamp>,
    /// SHA-256 fingerprint of the certificate, for a harvested entry.
    pub fingerprint: Option<String>,
}

/// The result of looking a recipient up in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerStatus<'a> {
    /// The recipient is a partner through this entry.
    Partner(&'a PartnerEntry),
    /// The recipient's only S/MIME certificates have expired; this is the newest.
    Expired(&'a PartnerEntry),
    /// The recipient is not in the registry.
    Unknown,
}

/// The registry, as loaded for checking.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerRegistry {
    entries: Vec<PartnerEntry>,
}

impl PartnerRegistry {
    /// Builds a registry from entries.
    pub fn from_entries(entries: Vec<PartnerEntry>) -> PartnerRegistry {
        PartnerRegistry { entries }
    }

    /// Returns the entries.
    pub fn entries(&self) -> &[PartnerEntry] {
        &self.entries
    }

    /// Looks up `address` at time `at`: an enforced-TLS entry for its exact domain, or an
    /// S/MIME entry for the address whose certificate, if known, has not expired.
    ///
    /// Enforced TLS is set up for the domains in a partner's MX records, so a TLS entry
    /// covers its own domain and not its subdomains.
    pub fn lookup(&self, address: &str, at: Timestamp) -> PartnerStatus<'_> {
        let address = address.trim().to_ascii_lowercase();
        let Some(domain) = domain_of(&address) else {
            return PartnerStatus::Unknown;
        };
        if let Some(entry) = self
            .entries
            .iter()
            .find(|e| e.method == PartnerMethod::Tls && e.entry == domain)
        {
            return PartnerStatus::Partner(entry);
        }
        let smime = self
            .entries
            .iter()
            .filter(|e| e.method == PartnerMethod::Smime && e.entry == address);
        let mut newest_expired: Option<&PartnerEntry> = None;
        for entry in smime {
            match entry.not_after {
                Some(not_after) if not_after < at => {
                    if newest_expired.is_none_or(|e| e.not_after < entry.not_after) {
                        newest_expired = Some(entry);
                    }
                }
                _ => return PartnerStatus::Partner(entry),
            }
        }
        newest_expired.map_or(PartnerStatus::Unknown, PartnerStatus::Expired)
    }
}

/// An entry read from an imported CSV list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedPartner {
    /// The domain or address, lowercase.
    pub entry: String,
    /// The method it uses.
    pub method: PartnerMethod,
    /// When it was verified.
    pub verified_on: Date,
}

/// Errors reading a partner list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PartnerListError {
    /// The file has no header line.
    #[error("the partner list is empty; expected the header line {expected:?}")]
    Empty {
        /// The expected header.
        expected: String,
    },
    /// The header does not name the expected columns.
    #[error("the partner list header is {found:?}; expected {expected:?}")]
    Header {
        /// The header read.
        found: String,
        /// The expected header.
        expected: String,
    },
    /// A line has the wrong number of fields.
    #[error("partner list line {line} has {found} fields; expected 3 (entry,method,verified_on)")]
    FieldCount {
        /// The line number, from 1.
        line: usize,
        /// The number of fields read.
        found: usize,
    },
    /// A quoted field is not closed.
    #[error("partner list line {line} has an unclosed quote")]
    UnclosedQuote {
        /// The line number where the field starts, from 1.
        line: usize,
    },
    /// The method is not `tls` or `smime`.
    #[error("partner list line {line}: method {value:?} is invalid; expected tls (a domain with enforced TLS) or smime (an address with an S/MIME certificate)")]
    Method {
        /// The line number, from 1.
        line: usize,
        /// The field value.
        value: String,
    },
    /// The entry does not fit the method.
    #[error("partner list line {line}: {entry:?} is not {expected}")]
    Entry {
        /// The line number, from 1.
        line: usize,
        /// The field value.
        entry: String,
        /// The form the method needs, with the fix.
        expected: &'static str,
    },
    /// The entry is at a domain that cannot be secured.
    #[error("partner list line {line}: {entry:?} is at the ISP domain {domain}, which cannot be secured (SOPP 8119 Appendix A); remove the line")]
    IspDomain {
        /// The line number, from 1.
        line: usize,
        /// The field value.
        entry: String,
        /// The ISP domain.
        domain: String,
    },
    /// The date is not a `YYYY-MM-DD` date.
    #[error("partner list line {line}: verified_on {value:?} is not a date; write it as YYYY-MM-DD, for example 2025-03-01")]
    Date {
        /// The line number, from 1.
        line: usize,
        /// The field value.
        value: String,
    },
    /// Two lines name the same entry and method.
    #[error("partner list line {line}: {entry} ({method}) is already listed on line {first_line}")]
    Duplicate {
        /// The line number of the repeat, from 1.
        line: usize,
        /// The line number of the first one, from 1.
        first_line: usize,
        /// The entry.
        entry: String,
        /// The method.
        method: &'static str,
    },
}

/// Parses a partner list: CSV with the header `entry,method,verified_on`, where `entry` is
/// a domain (method `tls`) or an address (method `smime`) and `verified_on` a
/// `YYYY-MM-DD` date. Entries at one of `isp_domains` are rejected.
///
/// # Errors
///
/// Returns [`PartnerListError`] naming the line of the first problem.
pub fn parse_partner_list(
    text: &str,
    isp_domains: &[String],
) -> Result<Vec<ImportedPartner>, PartnerListError> {
    let expected = COLUMNS.join(",");
    let records = crate::sopp::directory::parse_records(text).map_err(|err| match err {
        crate::sopp::DirectoryError::UnclosedQuote { line } => {
            PartnerListError::UnclosedQuote { line }
        }
        other => unreachable!("the CSV reader returns only unclosed quotes, not {other}"),
    })?;
    let mut records = records.into_iter();
    let Some((_, header)) = records.next() else {
        return Err(PartnerListError::Empty { expected });
    };
    let header: Vec<String> = header
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if header != COLUMNS {
        return Err(PartnerListError::Header {
            found: header.join(","),
            expected,
        });
    }

    let mut partners: Vec<(usize, ImportedPartner)> = Vec::new();
    for (line, fields) in records {
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let [entry, method, verified_on] = fields.as_slice() else {
            return Err(PartnerListError::FieldCount {
                line,
                found: fields.len(),
            });
        };
        let partner = parse_line(line, entry, method, verified_on, isp_domains)?;
        if let Some((first_line, _)) = partners
            .iter()
            .find(|(_, p)| p.entry == partner.entry && p.method == partner.method)
        {
            return Err(PartnerListError::Duplicate {
                line,
                first_line: *first_line,
                entry: partner.entry,
                method: partner.method.as_str(),
            });
        }
        partners.push((line, partner));
    }
    Ok(partners.into_iter().map(|(_, p)| p).collect())
}

fn parse_line(
    line: usize,
    entry: &str,
    method: &str,
    verified_on: &str,
    isp_domains: &[String],
) -> Result<ImportedPartner, PartnerListError> {
    let method = PartnerMethod::parse(method).ok_or_else(|| PartnerListError::Method {
        line,
        value: method.trim().to_owned(),
    })?;
    let entry = entry.trim().to_ascii_lowercase();
    let domain = match method {
        PartnerMethod::Tls if is_domain(&entry) => entry.clone(),
        PartnerMethod::Tls => {
            return Err(PartnerListError::Entry {
                line,
                entry,
                expected: "a domain; enforced TLS is set up per domain, so write the domain (acmebio.example) or use method smime for an address",
            })
        }
        PartnerMethod::Smime if is_address(&entry) => {
            domain_of(&entry).expect("an address has a domain")
        }
        PartnerMethod::Smime => {
            return Err(PartnerListError::Entry {
                line,
                entry,
                expected: "an address; S/MIME is set up per address, so write the address (priya.raman@acmebio.example) or use method tls for a domain",
            })
        }
    };
    if let Some(isp) = isp_domains.iter().find(|isp| domain_within(&domain, isp)) {
        return Err(PartnerListError::IspDomain {
            line,
            entry,
            domain: isp.clone(),
        });
    }
    let verified_on: Date = verified_on
        .trim()
        .parse()
        .map_err(|_| PartnerListError::Date {
            line,
            value: verified_on.trim().to_owned(),
        })?;
    Ok(ImportedPartner {
        entry,
        method,
        verified_on,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drafts::settings::APPENDIX_A_ISP_DOMAINS;

    fn isp() -> Vec<String> {
        APPENDIX_A_ISP_DOMAINS.map(str::to_owned).to_vec()
    }

    #[test]
    fn list_parses_domains_and_addresses() {
        let text = "entry,method,verified_on\n\
                    AcmeBio.example,tls,2025-02-01\n\
                    lee.park@ivd-systems.example,smime,2025-02-03\r\n";
        let partners = parse_partner_list(text, &isp()).expect("list parses");
        assert_eq!(partners.len(), 2);
        assert_eq!(partners[0].entry, "acmebio.example");
        assert_eq!(partners[0].method, PartnerMethod::Tls);
        assert_eq!(partners[1].method, PartnerMethod::Smime);
        assert_eq!(partners[1].verified_on.to_string(), "2025-02-03");
    }

    #[test]
    fn problems_name_their_line() {
        let cases: &[(&str, &str, PartnerListError)] = &[
            (
                "method",
                "entry,method,verified_on\nacmebio.example,starttls,2025-02-01\n",
                PartnerListError::Method {
                    line: 2,
                    value: "starttls".into(),
                },
            ),
            (
                "isp",
                "entry,method,verified_on\ngmail.com,tls,2025-02-01\n",
                PartnerListError::IspDomain {
                    line: 2,
                    entry: "gmail.com".into(),
                    domain: "gmail.com".into(),
                },
            ),
            (
                "date",
                "entry,method,verified_on\nacmebio.example,tls,03/01/2025\n",
                PartnerListError::Date {
                    line: 2,
                    value: "03/01/2025".into(),
                },
            ),
            (
                "fields",
                "entry,method,verified_on\nacmebio.example,tls\n",
                PartnerListError::FieldCount { line: 2, found: 2 },
            ),
            (
                "duplicate",
                "entry,method,verified_on\na.example,tls,2025-01-01\n\nA.example,tls,2025-01-02\n",
                PartnerListError::Duplicate {
                    line: 4,
                    first_line: 2,
                    entry: "a.example".into(),
                    method: "tls",
                },
            ),
        ];
        for (name, text, expected) in cases {
            assert_eq!(
                parse_partner_list(text, &isp()).as_ref(),
                Err(expected),
                "{name}"
            );
        }
    }

    #[test]
    fn method_must_fit_the_entry() {
        let tls_address = "entry,method,verified_on\npriya@acmebio.example,tls,2025-02-01\n";
        let err = parse_partner_list(tls_address, &isp()).expect_err("tls needs a domain");
        assert!(
            matches!(err, PartnerListError::Entry { line: 2, .. }),
            "{err}"
        );
        let smime_domain = "entry,method,verified_on\nacmebio.example,smime,2025-02-01\n";
        let err = parse_partner_list(smime_domain, &isp()).expect_err("smime needs an address");
        assert!(err.to_string().contains("use method tls"), "{err}");
    }

    #[test]
    fn wrong_header_is_rejected() {
        let err = parse_partner_list("domain,how\n", &isp()).expect_err("header");
        assert!(matches!(err, PartnerListError::Header { .. }), "{err}");
    }

    fn entry(entry: &str, method: PartnerMethod, not_after: Option<&str>) -> PartnerEntry {
        PartnerEntry {
            entry: entry.into(),
            method,
            source: PartnerSource::Import,
            verified_on: None,
            not_after: not_after.map(|t| t.parse().expect("valid time")),
            fingerprint: None,
        }
    }

    #[test]
    fn lookup_matches_exact_domain_and_live_certificates() {
        let registry = PartnerRegistry::from_entries(vec![
            entry("acmebio.example", PartnerMethod::Tls, None),
            entry(
                "lee.park@ivd-systems.example",
                PartnerMethod::Smime,
                Some("2026-01-01T00:00:00Z"),
            ),
        ]);
        let at: Timestamp = "2025-06-01T00:00:00Z".parse().expect("time");
        let later: Timestamp = "2026-06-01T00:00:00Z".parse().expect("time");
        assert!(matches!(
            registry.lookup("Priya.Raman@AcmeBio.example", at),
            PartnerStatus::Partner(_)
        ));
        assert_eq!(
            registry.lookup("priya@eu.acmebio.example", at),
            PartnerStatus::Unknown
        );
        assert!(matches!(
            registry.lookup("lee.park@ivd-systems.example", at),
            PartnerStatus::Partner(_)
        ));
        assert!(matches!(
            registry.lookup("lee.park@ivd-systems.example", later),
            PartnerStatus::Expired(_)
        ));
        assert_eq!(
            registry.lookup("grace@ivd-systems.example", at),
            PartnerStatus::Unknown
        );
    }
}
