//! The RPM directory: which Regulatory Project Manager (RPM) handles each submission, kept
//! by the user and read from CSV.
//!
//! SOPP 8119 VI.C.6 requires the recipient to forward every email that did not include the
//! RPM of the submission as an addressee. The directory gives the engine that RPM's name
//! and address. Storing the directory is left to the store.

use serde::{Deserialize, Serialize};

use super::identifiers::{self, Identifier};

/// The CSV columns, in order.
pub const COLUMNS: [&str; 6] = [
    "stn",
    "product",
    "sponsor",
    "sponsor_domains",
    "rpm_name",
    "rpm_email",
];

/// Errors reading an RPM directory.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DirectoryError {
    /// The file has no header line.
    #[error("RPM directory is empty; expected the header line {expected:?}")]
    Empty {
        /// The expected header.
        expected: String,
    },
    /// The header does not name the expected columns.
    #[error("RPM directory header is {found:?}; expected {expected:?}")]
    Header {
        /// The header read.
        found: String,
        /// The expected header.
        expected: String,
    },
    /// A line has the wrong number of fields.
    #[error("RPM directory line {line} has {found} fields; expected {expected}")]
    FieldCount {
        /// The line number, from 1.
        line: usize,
        /// The number of fields read.
        found: usize,
        /// The number of columns.
        expected: usize,
    },
    /// A quoted field is not closed.
    #[error("RPM directory line {line} has an unclosed quote")]
    UnclosedQuote {
        /// The line number where the field starts, from 1.
        line: usize,
    },
    /// The `stn` field is not a submission identifier.
    #[error(
        "RPM directory line {line}: {value:?} is not a submission identifier; use an STN such as 125742 or BL 125742, or a number such as BK251234 or IND 12345"
    )]
    InvalidStn {
        /// The line number, from 1.
        line: usize,
        /// The field value.
        value: String,
    },
    /// The `rpm_email` field is not an email address.
    #[error("RPM directory line {line}: {value:?} is not an email address")]
    InvalidEmail {
        /// The line number, from 1.
        line: usize,
        /// The field value.
        value: String,
    },
    /// Two lines name the same submission.
    #[error("RPM directory line {line}: {application} is already listed on line {first_line}")]
    Duplicate {
        /// The line number of the repeat, from 1.
        line: usize,
        /// The line number of the first entry, from 1.
        first_line: usize,
        /// The canonical application.
        application: String,
    },
}

/// One submission and its RPM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryEntry {
    /// The identifier as written in the directory (`125742`, `BK251234`).
    pub stn: String,
    /// The canonical application it names (`STN 125742`), matched against
    /// [`Identifier::application`].
    pub application: String,
    /// The product name.
    pub product: String,
    /// The sponsor or applicant.
    pub sponsor: String,
    /// The sponsor's email domains.
    pub sponsor_domains: Vec<String>,
    /// The RPM's name.
    pub rpm_name: String,
    /// The RPM's email address.
    pub rpm_email: String,
}

impl DirectoryEntry {
    /// Builds an entry, checking the identifier and the RPM's address.
    ///
    /// # Errors
    ///
    /// Returns [`DirectoryError::InvalidStn`] or [`DirectoryError::InvalidEmail`], with
    /// `line` as given.
    pub fn new(fields: [&str; 6], line: usize) -> Result<DirectoryEntry, DirectoryError> {
        let [stn, product, sponsor, domains, rpm_name, rpm_email] = fields.map(str::trim);
        let identifier =
            identifiers::parse_application(stn).ok_or_else(|| DirectoryError::InvalidStn {
                line,
                value: stn.to_owned(),
            })?;
        if !is_email(rpm_email) {
            return Err(DirectoryError::InvalidEmail {
                line,
                value: rpm_email.to_owned(),
            });
        }
        Ok(DirectoryEntry {
            stn: stn.to_owned(),
            application: identifier.application,
            product: product.to_owned(),
            sponsor: sponsor.to_owned(),
            sponsor_domains: domains
                .split([';', ',', ' '])
                .filter(|d| !d.is_empty())
                .map(str::to_ascii_lowercase)
                .collect(),
            rpm_name: rpm_name.to_owned(),
            rpm_email: rpm_email.to_ascii_lowercase(),
        })
    }
}

/// The RPM directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    entries: Vec<DirectoryEntry>,
}

impl Directory {
    /// Builds a directory from entries.
    pub fn from_entries(entries: Vec<DirectoryEntry>) -> Directory {
        Directory { entries }
    }

    /// Parses CSV with the header `stn,product,sponsor,sponsor_domains,rpm_name,rpm_email`.
    /// Fields may be quoted as in RFC 4180; several sponsor domains are separated by `;`.
    ///
    /// # Errors
    ///
    /// Returns [`DirectoryError`] naming the line of the first bad header, field count,
    /// quote, identifier, address or duplicate.
    pub fn parse_csv(text: &str) -> Result<Directory, DirectoryError> {
        let expected = COLUMNS.join(",");
        let records = parse_records(text)?;
        let mut records = records.into_iter();
        let Some((_, header)) = records.next() else {
            return Err(DirectoryError::Empty { expected });
        };
        let header: Vec<String> = header
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        if header != COLUMNS {
            return Err(DirectoryError::Header {
                found: header.join(","),
                expected,
            });
        }

        let mut entries: Vec<(usize, DirectoryEntry)> = Vec::new();
        for (line, fields) in records {
            if fields.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let fields: [&str; 6] = fields
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .try_into()
                .map_err(|found: Vec<&str>| DirectoryError::FieldCount {
                    line,
                    found: found.len(),
                    expected: COLUMNS.len(),
                })?;
            let entry = DirectoryEntry::new(fields, line)?;
            if let Some((first_line, _)) = entries
                .iter()
                .find(|(_, e)| e.application == entry.application)
            {
                return Err(DirectoryError::Duplicate {
                    line,
                    first_line: *first_line,
                    application: entry.application,
                });
            }
            entries.push((line, entry));
        }
        Ok(Directory {
            entries: entries.into_iter().map(|(_, e)| e).collect(),
        })
    }

    /// Returns the entries in file order.
    pub fn entries(&self) -> &[DirectoryEntry] {
        &self.entries
    }

    /// Returns the entry for the application `identifier` belongs to.
    pub fn lookup(&self, identifier: &Identifier) -> Option<&DirectoryEntry> {
        self.entries
            .iter()
            .find(|entry| entry.application == identifier.application)
    }
}

fn is_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// Splits CSV text into records, each with the line number it starts on. Fields may be
/// quoted as in RFC 4180; the only error is [`DirectoryError::UnclosedQuote`].
pub(crate) fn parse_records(text: &str) -> Result<Vec<(usize, Vec<String>)>, DirectoryError> {
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut record_line = 1;
    let mut quoted = false;
    let mut quote_line = 1;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();

    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.trim().is_empty() => {
                field.clear();
                quoted = true;
                quote_line = line;
            }
            ',' => fields.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                records.push((record_line, std::mem::take(&mut fields)));
                line += 1;
                record_line = line;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(DirectoryError::UnclosedQuote { line: quote_line });
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        records.push((record_line, fields));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "stn,product,sponsor,sponsor_domains,rpm_name,rpm_email\n\
        125742,AB-17 recombinant protein,Acme Biologics,acmebio.example,Marcus Ortega,marcus.ortega@fda.hhs.gov\n\
        BK251234,\"Rapid antigen assay, 2nd gen\",IVD Systems,ivd-systems.example;ivd.example,Grace Liu,Grace.Liu@fda.hhs.gov\r\n";

    #[test]
    fn sample_parses() {
        let directory = Directory::parse_csv(SAMPLE).expect("sample parses");
        let entries = directory.entries();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].application, "STN 125742");
        assert_eq!(entries[1].product, "Rapid antigen assay, 2nd gen");
        assert_eq!(
            entries[1].sponsor_domains,
            ["ivd-systems.example", "ivd.example"]
        );
        assert_eq!(entries[1].rpm_email, "grace.liu@fda.hhs.gov");
    }

    #[test]
    fn bad_stn_names_line() {
        let text =
            "stn,product,sponsor,sponsor_domains,rpm_name,rpm_email\nabc,p,s,d,n,n@fda.hhs.gov\n";
        assert_eq!(
            Directory::parse_csv(text),
            Err(DirectoryError::InvalidStn {
                line: 2,
                value: "abc".into()
            })
        );
    }

    #[test]
    fn wrong_header_is_rejected() {
        let err = Directory::parse_csv("stn,rpm\n125742,x\n").expect_err("header is wrong");
        assert!(matches!(err, DirectoryError::Header { .. }), "{err}");
    }

    #[test]
    fn short_line_is_rejected() {
        let text = "stn,product,sponsor,sponsor_domains,rpm_name,rpm_email\n125742,p,s\n";
        assert_eq!(
            Directory::parse_csv(text),
            Err(DirectoryError::FieldCount {
                line: 2,
                found: 3,
                expected: 6
            })
        );
    }

    #[test]
    fn duplicate_application_is_rejected() {
        let text = "stn,product,sponsor,sponsor_domains,rpm_name,rpm_email\n\
            125742,p,s,d,n,n@fda.hhs.gov\nBL 125742,p,s,d,n,n@fda.hhs.gov\n";
        let err = Directory::parse_csv(text).expect_err("duplicate is rejected");
        assert!(
            matches!(
                err,
                DirectoryError::Duplicate {
                    line: 3,
                    first_line: 2,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn unclosed_quote_is_rejected() {
        let text = "stn,product,sponsor,sponsor_domains,rpm_name,rpm_email\n125742,\"p,s,d,n,n@fda.hhs.gov\n";
        assert_eq!(
            Directory::parse_csv(text),
            Err(DirectoryError::UnclosedQuote { line: 2 })
        );
    }
}
