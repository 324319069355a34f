//! Import progress and reports.

use serde::{Deserialize, Serialize};
use specta::Type;

use regmail::import::{ImportReport, Progress};

/// Counts of a running import.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgressDto {
    /// Bytes read so far.
    pub bytes_done: u64,
    /// Bytes to read in all.
    pub bytes_total: u64,
    /// Messages found so far.
    pub found: u64,
    /// Messages imported so far.
    pub imported: u64,
    /// Exact duplicates so far.
    pub duplicates: u64,
    /// Messages quarantined so far.
    pub quarantined: u64,
}

impl From<&Progress> for ImportProgressDto {
    fn from(p: &Progress) -> ImportProgressDto {
        ImportProgressDto {
            bytes_done: p.bytes_done,
            bytes_total: p.bytes_total,
            found: p.found,
            imported: p.imported,
            duplicates: p.duplicates,
            quarantined: p.quarantined,
        }
    }
}

/// A message stored raw because it did not parse.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct QuarantinedDto {
    /// Store id.
    pub id: i64,
    /// Where it was found: the path, and for mbox the byte offset.
    pub source: String,
    /// Why it did not parse.
    pub reason: String,
}

/// A path that was not imported.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SkippedDto {
    /// The path.
    pub path: String,
    /// Why, and what to do.
    pub reason: String,
}

/// The report of a finished import.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportReportDto {
    /// Messages found.
    pub found: u64,
    /// Messages newly stored.
    pub imported: u64,
    /// Messages whose bytes were already stored.
    pub duplicates: u64,
    /// Messages stored raw and flagged, with the reasons.
    pub quarantined: Vec<QuarantinedDto>,
    /// Paths left out, with the reasons.
    pub skipped: Vec<SkippedDto>,
    /// Files read.
    pub files: u64,
}

impl From<&ImportReport> for ImportReportDto {
    fn from(report: &ImportReport) -> ImportReportDto {
        ImportReportDto {
            found: report.found,
            imported: report.imported,
            duplicates: report.duplicates,
            quarantined: report
                .quarantined
                .iter()
                .map(|q| QuarantinedDto {
                    id: q.id,
                    source: q.source.clone(),
                    reason: q.reason.clone(),
                })
                .collect(),
            skipped: report
                .skipped
                .iter()
                .map(|s| SkippedDto {
                    path: s.path.display().to_string(),
                    reason: s.reason.clone(),
                })
                .collect(),
            files: report.files,
        }
    }
}

/// The state of the import job, for a screen opened while it runs.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportStatusDto {
    /// Whether an import is running.
    pub running: bool,
    /// The latest counts of the running or last import.
    pub progress: Option<ImportProgressDto>,
    /// The report of the last finished import.
    pub report: Option<ImportReportDto>,
    /// The error of the last import, when it failed.
    pub error: Option<String>,
}
