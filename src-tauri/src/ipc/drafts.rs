//! The draft editor: the templates to choose from, the reviewer's edits, the findings of
//! the checks and the record copy of an export.

use serde::{Deserialize, Serialize};
use specta::Type;

use regmail::drafts::check::{Finding, Severity};
use regmail::drafts::edit::{AddressField, DraftEdit, InvalidAddress};
use regmail::drafts::reply::{CheckedReply, OpenedReply};
use regmail::drafts::{CommunicationType, Exception, Template};
use regmail::store::RecordCopy;

/// A V.A.1.a exception to secure email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "kebab-case")]
pub enum ExceptionDto {
    /// V.A.1.a.i: individual patient INDs under expanded access.
    IndividualPatientInd,
    /// V.A.1.a.ii: compassionate use IDEs.
    CompassionateUseIde,
    /// V.A.1.a.iii: EUAs and pre-EUAs.
    Eua,
    /// V.A.1.a.iv: responses to requests for general information.
    GeneralInformation,
    /// V.A.1.a.v: emergency alternative procedures or exemptions under 21 CFR 640.120.
    #[serde(rename = "cfr-640-120")]
    Cfr640_120,
}

impl From<Exception> for ExceptionDto {
    fn from(exception: Exception) -> ExceptionDto {
        match exception {
            Exception::IndividualPatientInd => ExceptionDto::IndividualPatientInd,
            Exception::CompassionateUseIde => ExceptionDto::CompassionateUseIde,
            Exception::Eua => ExceptionDto::Eua,
            Exception::GeneralInformation => ExceptionDto::GeneralInformation,
            Exception::Cfr640_120 => ExceptionDto::Cfr640_120,
        }
    }
}

impl From<ExceptionDto> for Exception {
    fn from(exception: ExceptionDto) -> Exception {
        match exception {
            ExceptionDto::IndividualPatientInd => Exception::IndividualPatientInd,
            ExceptionDto::CompassionateUseIde => Exception::CompassionateUseIde,
            ExceptionDto::Eua => Exception::Eua,
            ExceptionDto::GeneralInformation => Exception::GeneralInformation,
            ExceptionDto::Cfr640_120 => Exception::Cfr640_120,
        }
    }
}

/// The communication type entered in the regulatory system (SOPP 8119 VII.B.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "kebab-case")]
pub enum CommunicationDto {
    /// Entered as an email.
    Email,
    /// Entered as a telecon, because the content would normally be discussed by phone.
    Telecon,
}

impl From<CommunicationType> for CommunicationDto {
    fn from(communication: CommunicationType) -> CommunicationDto {
        match communication {
            CommunicationType::Email => CommunicationDto::Email,
            CommunicationType::Telecon => CommunicationDto::Telecon,
        }
    }
}

impl From<CommunicationDto> for CommunicationType {
    fn from(communication: CommunicationDto) -> CommunicationType {
        match communication {
            CommunicationDto::Email => CommunicationType::Email,
            CommunicationDto::Telecon => CommunicationType::Telecon,
        }
    }
}

/// An exception the reviewer may record, with its section and what it covers.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionChoiceDto {
    /// The exception.
    pub value: ExceptionDto,
    /// The SOPP section (`V.A.1.a.iv`).
    pub section: String,
    /// The communications it covers, in the SOPP's words.
    pub label: String,
}

impl From<Exception> for ExceptionChoiceDto {
    fn from(exception: Exception) -> ExceptionChoiceDto {
        ExceptionChoiceDto {
            value: exception.into(),
            section: exception.section().to_owned(),
            label: exception.label().to_owned(),
        }
    }
}

/// A template the reviewer may choose.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TemplateDto {
    /// The name (`include-rpm`).
    pub name: String,
    /// The version.
    pub version: u32,
    /// The SOPP section the reply serves.
    pub section: String,
    /// The purpose of the reply.
    pub description: String,
    /// `built-in` or the file it was loaded from.
    pub origin: String,
}

impl From<&Template> for TemplateDto {
    fn from(template: &Template) -> TemplateDto {
        TemplateDto {
            name: template.name.clone(),
            version: template.version,
            section: template.section.clone(),
            description: template.description.clone(),
            origin: template.origin.to_string(),
        }
    }
}

/// The fields of a draft the reviewer edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftEditDto {
    /// The To recipients, comma-separated.
    pub to: String,
    /// The Cc recipients, comma-separated.
    pub cc: String,
    /// The subject.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    /// The V.A.1.a exception recorded, or none.
    pub exception: Option<ExceptionDto>,
    /// The communication type.
    pub communication: CommunicationDto,
    /// The draft concerns a trans-BLA communication (SOPP 8119 V.C.7).
    pub trans_bla: bool,
    /// The draft concerns a bundled submission (SOPP 8119 V.C.7).
    pub bundled: bool,
    /// Related precursor submissions the draft may name, comma-separated.
    pub related: String,
}

impl From<DraftEdit> for DraftEditDto {
    fn from(edit: DraftEdit) -> DraftEditDto {
        DraftEditDto {
            to: edit.to,
            cc: edit.cc,
            subject: edit.subject,
            body: edit.body,
            exception: edit.exception.map(ExceptionDto::from),
            communication: edit.communication.into(),
            trans_bla: edit.trans_bla,
            bundled: edit.bundled,
            related: edit.related,
        }
    }
}

impl From<DraftEditDto> for DraftEdit {
    fn from(edit: DraftEditDto) -> DraftEdit {
        DraftEdit {
            to: edit.to,
            cc: edit.cc,
            subject: edit.subject,
            body: edit.body,
            exception: edit.exception.map(Exception::from),
            communication: edit.communication.into(),
            trans_bla: edit.trans_bla,
            bundled: edit.bundled,
            related: edit.related,
        }
    }
}

/// Whether a finding stops the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "kebab-case")]
pub enum SeverityDto {
    /// The draft cannot be exported until it is fixed.
    Blocking,
    /// The reviewer should look again; the draft can be exported.
    Warning,
}

/// One problem found in a draft.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FindingDto {
    /// The rule (`rpm-cc`).
    pub rule: String,
    /// Whether it blocks the export.
    pub severity: SeverityDto,
    /// The SOPP 8119 section the rule applies (`VII.B.1`).
    pub section: String,
    /// The offending value.
    pub value: String,
    /// The problem, in a sentence.
    pub message: String,
    /// The action that resolves it.
    pub fix: String,
}

impl From<Finding> for FindingDto {
    fn from(finding: Finding) -> FindingDto {
        FindingDto {
            rule: finding.rule.as_str().to_owned(),
            severity: match finding.severity {
                Severity::Blocking => SeverityDto::Blocking,
                Severity::Warning => SeverityDto::Warning,
            },
            section: finding.section,
            value: finding.value,
            message: finding.message,
            fix: finding.fix,
        }
    }
}

/// A recipient entry that is not an email address.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct InvalidAddressDto {
    /// The field: `to` or `cc`.
    pub field: String,
    /// The entry as typed.
    pub value: String,
    /// The problem and the form an address takes.
    pub message: String,
}

impl From<InvalidAddress> for InvalidAddressDto {
    fn from(invalid: InvalidAddress) -> InvalidAddressDto {
        InvalidAddressDto {
            field: match invalid.field {
                AddressField::To => "to",
                AddressField::Cc => "cc",
            }
            .to_owned(),
            message: invalid.to_string(),
            value: invalid.value,
        }
    }
}

/// The findings of a draft with the reviewer's edits.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftCheckDto {
    /// The findings, in the order the checks run.
    pub findings: Vec<FindingDto>,
    /// How many findings block the export.
    pub blocking: u32,
    /// How many findings are warnings.
    pub warnings: u32,
    /// The recipient entries that are not addresses; the export is refused while any remain.
    pub invalid_addresses: Vec<InvalidAddressDto>,
}

impl From<CheckedReply> for DraftCheckDto {
    fn from(checked: CheckedReply) -> DraftCheckDto {
        let blocking = checked
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Blocking)
            .count() as u32;
        DraftCheckDto {
            warnings: checked.findings.len() as u32 - blocking,
            blocking,
            findings: checked.findings.into_iter().map(FindingDto::from).collect(),
            invalid_addresses: checked
                .invalid_addresses
                .into_iter()
                .map(InvalidAddressDto::from)
                .collect(),
        }
    }
}

/// A draft rendered from a template for a stored message.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftDto {
    /// The name of the template it was rendered from.
    pub template: String,
    /// The sender, from the reviewer's settings (SOPP 8119 V.C.2); empty when not set.
    pub from: String,
    /// The submission the draft is about (`STN 125742/0`), or none.
    pub stn: Option<String>,
    /// The editable fields as rendered.
    pub edit: DraftEditDto,
    /// The findings as rendered.
    pub check: DraftCheckDto,
}

/// A reply opened for a stored message.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReplyDto {
    /// The message replied to.
    pub message_id: i64,
    /// The templates to choose from.
    pub templates: Vec<TemplateDto>,
    /// The names of the templates that reply to the decision.
    pub suggested: Vec<String>,
    /// The decision's disposition (`accept`).
    pub disposition: String,
    /// The SOPP section of the disposition.
    pub disposition_section: String,
    /// The questions whose answers are still inferred; the decision rests on them.
    pub open_questions: Vec<String>,
    /// The exceptions the reviewer may record.
    pub exceptions: Vec<ExceptionChoiceDto>,
    /// The draft of the chosen template, or none when the reviewer must choose one.
    pub draft: Option<DraftDto>,
}

impl ReplyDto {
    /// Builds the reply of message `message_id` from what the core opened.
    pub fn new(message_id: i64, opened: OpenedReply) -> ReplyDto {
        let draft = opened.prepared.map(|prepared| DraftDto {
            template: prepared
                .draft
                .template
                .as_ref()
                .map(|t| t.name.clone())
                .unwrap_or_default(),
            from: prepared
                .draft
                .from
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            stn: prepared.draft.stn.clone(),
            edit: DraftEdit::of(&prepared.draft).into(),
            check: CheckedReply {
                draft: prepared.draft,
                findings: prepared.findings,
                invalid_addresses: Vec::new(),
            }
            .into(),
        });
        ReplyDto {
            message_id,
            templates: opened.templates.iter().map(TemplateDto::from).collect(),
            suggested: opened.suggested,
            disposition: opened.outcome.disposition.as_str().to_owned(),
            disposition_section: opened.outcome.section.clone(),
            open_questions: opened
                .outcome
                .open_questions
                .iter()
                .map(|q| q.key.as_str().to_owned())
                .collect(),
            exceptions: Exception::ALL
                .into_iter()
                .map(ExceptionChoiceDto::from)
                .collect(),
            draft,
        }
    }
}

/// The record copy of an exported draft.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RecordCopyDto {
    /// The record copy id.
    pub id: i64,
    /// The file written.
    pub path: String,
    /// SHA-256 of the exported bytes, hex.
    pub sha256: String,
    /// The size of the exported bytes.
    pub size: u64,
    /// The communication type (SOPP 8119 VII.B.2).
    pub communication_type: String,
    /// The V.A.1.a exception recorded with it, or none.
    pub exception: Option<String>,
    /// The rules of the warnings it was exported with.
    pub warnings: Vec<String>,
    /// When, RFC 3339 UTC.
    pub created_at: String,
}

impl From<RecordCopy> for RecordCopyDto {
    fn from(record: RecordCopy) -> RecordCopyDto {
        RecordCopyDto {
            id: record.id,
            path: record.exported_path.unwrap_or_default(),
            sha256: record.sha256,
            size: record.size,
            communication_type: record.communication_type,
            exception: record.exception,
            warnings: record.warnings,
            created_at: record.created_at,
        }
    }
}
