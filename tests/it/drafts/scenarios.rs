//! Drafts for the scenarios of incoming email whose decision calls for a reply: each is
//! imported and triaged with the reviewer's answers, the suggested template rendered, the
//! draft checked, and a clean draft exported as the record copy.

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::Timestamp;
use regmail::drafts::partners::parse_partner_list;
use regmail::drafts::settings::DraftSettingKey;
use regmail::drafts::stored::{self, Prepared};
use regmail::drafts::{check, Exception, Rule, Severity, Templates};
use regmail::sopp::triage;
use regmail::sopp::{Answers, Settings};
use regmail::store::Store;

use super::{directory, REVIEWER};
use crate::{fixture, import_into, memory_store};

/// The scenarios store: every scenario imported and triaged, the directory loaded, the
/// reviewer set, and acmebio.example and ivd-systems.example registered with enforced TLS.
struct Scenarios {
    store: Store,
    ids: BTreeMap<String, i64>,
}

fn at() -> Timestamp {
    "2025-07-07T14:00:00Z".parse().expect("time")
}

fn setup() -> anyhow::Result<Scenarios> {
    let dir = fixture("sopp/scenarios");
    let expected: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json"))?)?;
    let mut store = memory_store();
    let paths: Vec<PathBuf> = expected
        .values()
        .map(|e| dir.join(e["file"].as_str().expect("file")))
        .collect();
    import_into(&mut store, &paths);
    store.import_directory(&directory(), "dana", at())?;

    let mut ids = BTreeMap::new();
    for (name, scenario) in &expected {
        let id = *store
            .messages_with_message_id(&format!("{name}@acmebio.example"))?
            .first()
            .expect("scenario imported");
        let pairs: Vec<String> = scenario["answers"]
            .as_object()
            .expect("answers")
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().expect("answer text")))
            .collect();
        let answers = Answers::parse_pairs(pairs.iter().map(String::as_str))?;
        triage::triage(&mut store, id, &answers, &Settings::default(), "dana", at())?;
        ids.insert(name.clone(), id);
    }

    store.save_draft_setting(
        DraftSettingKey::ReviewerName,
        "Dana Whitfield",
        "dana",
        at(),
    )?;
    store.save_draft_setting(DraftSettingKey::ReviewerEmail, REVIEWER, "dana", at())?;
    let partners = parse_partner_list(
        "entry,method,verified_on\nacmebio.example,tls,2025-01-15\nivd-systems.example,tls,2025-01-15\n",
        &store.draft_settings()?.isp_domains,
    )?;
    store.import_partners(&partners, "dana", at())?;
    Ok(Scenarios { store, ids })
}

impl Scenarios {
    fn draft(&self, scenario: &str, template: &str) -> anyhow::Result<Prepared> {
        let settings = self.store.draft_settings()?;
        let templates = Templates::built_in();
        let id = self.ids[scenario];
        Ok(stored::draft_reply(
            &self.store,
            id,
            templates.get(template)?,
            &settings,
            at(),
        )?)
    }
}

/// What a scenario's reply must look like.
struct Reply {
    scenario: &'static str,
    template: &'static str,
    to: &'static str,
    cc: &'static [&'static str],
    subject: &'static str,
    body: &'static [&'static str],
    exception: Option<Exception>,
    blocking: &'static [Rule],
}

const REPLIES: &[Reply] = &[
    Reply {
        scenario: "rpm-missing",
        template: "include-rpm",
        to: "priya.raman@acmebio.example",
        cc: &["marcus.ortega@fda.hhs.gov"],
        subject: "STN 125742/0 - Please include the Regulatory Project Manager: Updated stability data (agreed by email)",
        body: &[
            "Dear Priya Raman,",
            "your email of March 4, 2025,",
            "Please include Marcus Ortega (marcus.ortega@fda.hhs.gov) on any responses and on all future emails about STN 125742/0.",
            "Dana Whitfield\nCenter for Biologics Evaluation and Research",
        ],
        exception: None,
        blocking: &[],
    },
    Reply {
        scenario: "holiday-rpm-missing",
        template: "include-rpm",
        to: "priya.raman@acmebio.example",
        cc: &["marcus.ortega@fda.hhs.gov"],
        subject: "STN 125742/0 - Please include the Regulatory Project Manager: Labeling comments (agreed by email)",
        body: &["your email of July 3, 2025,", "Please include Marcus Ortega"],
        exception: None,
        blocking: &[],
    },
    Reply {
        scenario: "unsolicited-new-bla",
        template: "acknowledge-not-accepted",
        to: "tom.becker@northwind-bio.example",
        cc: &[],
        subject: "Acknowledgement of your email of March 7, 2025: New BLA submission - NW-201 plasma-derived product",
        body: &[
            "This acknowledges receipt of your email of March 7, 2025, \"New BLA submission - NW-201 plasma-derived product\".",
            "not accepted by email",
            "in eCTD format through the FDA Electronic Submissions Gateway (ESG)",
            "Submissions for blood and blood components that are not required to be in eCTD format: as directed on FDA's eSubmitter website",
            "section 745A(a)",
            "Please do not send submissions or information by email without prior agreement with FDA.",
        ],
        exception: None,
        blocking: &[Rule::SecureEmail],
    },
    Reply {
        scenario: "spind-original",
        template: "acknowledge-spind",
        to: "achu@cityhospital.example",
        cc: &[],
        subject: "Acknowledgement of receipt: Original Submission SPIND - request for single patient expanded access",
        body: &[
            "sent to CBERSPIND@fda.hhs.gov",
            "individual patient expanded access IND submission under 21 CFR 312.310",
            "240-402-8010 or 1-800-835-4709, email industry.biologics@fda.hhs.gov",
            "866-300-4374 or 301-796-8240",
        ],
        exception: Some(Exception::IndividualPatientInd),
        blocking: &[],
    },
    Reply {
        scenario: "emergency-initial-in-hours",
        template: "redirect-emergency",
        to: "achu@cityhospital.example",
        cc: &[],
        subject: "Your initial emergency use request: please contact OCOD",
        body: &[
            "We received your email of March 12, 2025 at 11:00 AM ET",
            "Your request arrived during normal business hours (8:00 AM - 4:30 PM ET): please contact the CBER Office of Communication, Outreach and Development at 240-402-8010 or 1-800-835-4709, or by email at industry.biologics@fda.hhs.gov.",
            "Follow-up submissions for an emergency use request may be submitted by email.",
        ],
        exception: Some(Exception::IndividualPatientInd),
        blocking: &[],
    },
    Reply {
        scenario: "emergency-initial-after-hours",
        template: "redirect-emergency",
        to: "achu@cityhospital.example",
        cc: &[],
        subject: "Your initial emergency use request: please contact Emergency Call Center",
        body: &[
            "We received your email of March 12, 2025 at 7:45 PM ET",
            "Your request arrived after hours (after 4:30 PM ET weekdays, all day on holidays and weekends): please contact the FDA Emergency Call Center at 866-300-4374 or 301-796-8240.",
        ],
        exception: Some(Exception::IndividualPatientInd),
        blocking: &[],
    },
    Reply {
        scenario: "mdufa-many-attachments",
        template: "request-electronic-media",
        to: "lee.park@ivd-systems.example",
        cc: &["grace.liu@fda.hhs.gov"],
        subject: "BK251234 - Please submit the attachments on electronic media through DCC: eCopy response to additional information request",
        body: &[
            "which has 12 attachments",
            "on electronic media through CBER's Document Control Center (DCC)",
            "Please also include Grace Liu (grace.liu@fda.hhs.gov), the Regulatory Project Manager for BK251234",
        ],
        exception: None,
        blocking: &[],
    },
    Reply {
        scenario: "general-logistics",
        template: "general-information",
        to: "tom.becker@northwind-bio.example",
        cc: &[],
        subject: "Re: Parking at White Oak for Thursday's meeting",
        body: &["Thank you for your email of March 19, 2025"],
        exception: Some(Exception::GeneralInformation),
        blocking: &[Rule::UnfilledText],
    },
];

#[test]
fn each_reply_scenario_gets_its_draft() -> anyhow::Result<()> {
    let scenarios = setup()?;
    let templates = Templates::built_in();
    for reply in REPLIES {
        let name = reply.scenario;
        let prepared = scenarios.draft(name, reply.template)?;
        let draft = &prepared.draft;

        let suggested: Vec<&str> = templates
            .suggest(&prepared.outcome)
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert!(
            suggested.contains(&reply.template),
            "{name}: suggested {suggested:?}"
        );
        assert_eq!(
            draft.from.as_ref().map(|f| f.address.as_str()),
            Some(REVIEWER),
            "{name}: From"
        );
        let to: Vec<&str> = draft.to.iter().map(|m| m.address.as_str()).collect();
        assert_eq!(to, [reply.to], "{name}: To");
        let cc: Vec<&str> = draft.cc.iter().map(|m| m.address.as_str()).collect();
        assert_eq!(cc, reply.cc, "{name}: Cc");
        assert_eq!(draft.subject, reply.subject, "{name}: subject");
        assert_eq!(
            draft.in_reply_to.as_deref(),
            Some(format!("{name}@acmebio.example").as_str()),
            "{name}: In-Reply-To"
        );
        assert_eq!(
            draft.references.last(),
            draft.in_reply_to.as_ref(),
            "{name}: References ends with the message replied to"
        );
        for text in reply.body {
            assert!(
                draft.body.contains(text),
                "{name}: body lacks {text:?}:\n{}",
                draft.body
            );
        }
        assert!(!draft.body.contains("{{"), "{name}: unfilled placeholder");
        assert_eq!(draft.exception, reply.exception, "{name}: exception");
        let template = draft.template.as_ref().expect("template");
        assert_eq!(template.name, reply.template, "{name}: template");

        let blocking: Vec<Rule> = prepared
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Blocking)
            .map(|f| f.rule)
            .collect();
        assert_eq!(blocking, reply.blocking, "{name}: {:#?}", prepared.findings);
        let warnings: Vec<_> = prepared
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .collect();
        assert!(warnings.is_empty(), "{name}: {warnings:#?}");
    }
    Ok(())
}

#[test]
fn scenarios_without_a_reply_get_no_template() -> anyhow::Result<()> {
    let scenarios = setup()?;
    let templates = Templates::built_in();
    let settings = stored::engine_settings(&scenarios.store.draft_settings()?);
    for name in ["agreed-ir-response", "encrypted-no-key"] {
        let (outcome, _) = triage::preview(
            &scenarios.store,
            scenarios.ids[name],
            &Answers::new(),
            &settings,
        )?;
        assert!(
            templates.suggest(&outcome).is_empty(),
            "{name}: {}",
            outcome.disposition
        );
    }
    Ok(())
}

#[test]
fn mdufa_scenario_suggests_both_replies() -> anyhow::Result<()> {
    let scenarios = setup()?;
    let prepared = scenarios.draft("mdufa-many-attachments", "request-electronic-media")?;
    let templates = Templates::built_in();
    let mut suggested: Vec<&str> = templates
        .suggest(&prepared.outcome)
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    suggested.sort();
    assert_eq!(suggested, ["include-rpm", "request-electronic-media"]);
    Ok(())
}

#[test]
fn unsolicited_reply_needs_partner() -> anyhow::Result<()> {
    let mut scenarios = setup()?;
    let prepared = scenarios.draft("unsolicited-new-bla", "acknowledge-not-accepted")?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("ack.eml");
    let err = stored::export_record_copy(
        &mut scenarios.store,
        &prepared.draft,
        &prepared.context,
        Some(&path),
        "dana",
        at(),
    )
    .expect_err("blocked");
    assert!(
        err.to_string()
            .contains("secure-email tom.becker@northwind-bio.example"),
        "{err}"
    );
    assert!(!path.exists(), "nothing is written while blocked");
    assert!(scenarios.store.record_copies(None)?.is_empty());

    let partners = parse_partner_list(
        "entry,method,verified_on\nnorthwind-bio.example,tls,2025-03-10\n",
        &[],
    )?;
    scenarios.store.import_partners(&partners, "dana", at())?;
    let prepared = scenarios.draft("unsolicited-new-bla", "acknowledge-not-accepted")?;
    assert!(prepared.findings.is_empty(), "{:#?}", prepared.findings);
    let (exported, record) = stored::export_record_copy(
        &mut scenarios.store,
        &prepared.draft,
        &prepared.context,
        Some(&path),
        "dana",
        at(),
    )?;
    assert_eq!(std::fs::read(&path)?, exported.bytes);
    assert_eq!(
        regmail::message::sha256_hex(&std::fs::read(&path)?),
        record.sha256
    );
    assert_eq!(record.template.as_deref(), Some("acknowledge-not-accepted"));
    assert_eq!(record.template_version, Some(1));
    assert_eq!(
        record.message_id,
        Some(scenarios.ids["unsolicited-new-bla"])
    );
    assert_eq!(record.communication_type, "email");
    Ok(())
}

#[test]
fn general_information_reply_exports_with_its_text_written() -> anyhow::Result<()> {
    let mut scenarios = setup()?;
    let mut prepared = scenarios.draft("general-logistics", "general-information")?;
    prepared.draft.body = prepared.draft.body.replace(
        "[[Write the general information here, such as a pointer to a guidance document, how to attend a meeting at the White Oak campus, or where to find information on the FDA website. Include no regulatory information and no submission number.]]",
        "Visitor parking is in Lot 1 next to Building 1; please bring photo identification.",
    );
    assert!(check(&prepared.draft, &prepared.context).is_empty());
    let (_, record) = stored::export_record_copy(
        &mut scenarios.store,
        &prepared.draft,
        &prepared.context,
        None,
        "dana",
        at(),
    )?;
    assert_eq!(record.exception.as_deref(), Some("general-information"));
    assert_eq!(record.exported_path, None);
    let bytes = scenarios.store.record_copy_bytes(record.id)?;
    assert_eq!(regmail::message::sha256_hex(&bytes), record.sha256);
    Ok(())
}

#[test]
fn secure_email_setup_template_names_no_submission() -> anyhow::Result<()> {
    let scenarios = setup()?;
    let prepared = scenarios.draft("rpm-missing", "secure-email-setup")?;
    let draft = &prepared.draft;
    assert_eq!(draft.subject, "How to set up secure email with FDA");
    assert_eq!(draft.stn, None);
    assert!(
        draft.cc.is_empty(),
        "the instructions do not pertain to the submission"
    );
    assert_eq!(draft.exception, Some(Exception::GeneralInformation));
    for text in [
        "SecureEmail@fda.hhs.gov",
        "cert-query@fda.hhs.gov",
        "\"S/MIME request\"",
        "@yahoo.com, @gmail.com, @hotmail.com, @earthlink.net, @verizon.net",
        "fda.hhs.gov and fda.gov",
        "at least 2048 bits",
        "U.S. postal service or commercial carrier",
    ] {
        assert!(draft.body.contains(text), "body lacks {text:?}");
    }
    assert!(
        regmail::sopp::identifiers::detect_in_message(&draft.subject, &draft.body, []).is_empty(),
        "the instructions carry no identifier"
    );
    assert!(prepared.findings.is_empty(), "{:#?}", prepared.findings);
    Ok(())
}

#[test]
fn template_needing_a_redirect_fails_on_another_decision() -> anyhow::Result<()> {
    let scenarios = setup()?;
    let err = scenarios
        .draft("rpm-missing", "redirect-emergency")
        .expect_err("no redirect contact");
    let text = err.to_string();
    assert!(
        text.contains("template redirect-emergency (built-in) line"),
        "{text}"
    );
    assert!(text.contains("no redirect contact"), "{text}");
    Ok(())
}

#[test]
fn telecon_communication_type_is_recorded() -> anyhow::Result<()> {
    let mut scenarios = setup()?;
    let mut prepared = scenarios.draft("rpm-missing", "include-rpm")?;
    prepared.draft.communication = regmail::drafts::CommunicationType::Telecon;
    let (_, record) = stored::export_record_copy(
        &mut scenarios.store,
        &prepared.draft,
        &prepared.context,
        None,
        "dana",
        at(),
    )?;
    assert_eq!(record.communication_type, "telecon");
    let log = scenarios.store.audit_log()?;
    let entry = &log.last().expect("audit entry").entry;
    assert_eq!(entry.action, "draft-exported");
    assert_eq!(entry.section.as_deref(), Some("IV.E"));
    assert!(
        entry.detail.contains("\"communication_type\":\"telecon\""),
        "{}",
        entry.detail
    );
    assert!(entry.detail.contains(&record.sha256), "{}", entry.detail);
    Ok(())
}
