//! Each check with a draft that fails it and a close one that passes it. Every case starts
//! from a draft with no findings and changes one thing.

use regmail::drafts::partners::PartnerMethod;
use regmail::drafts::{
    check, CheckContext, Draft, DraftAttachment, Exception, Finding, Rule, Severity,
};
use regmail::sopp::facts::Mailbox;

use super::{clean_context, clean_draft, partner, REVIEWER};

/// One case: a change to the clean draft and context, and the finding it must produce, or
/// none when the changed draft must still pass the rule.
struct Case {
    name: &'static str,
    change: fn(&mut Draft, &mut CheckContext),
    rule: Rule,
    expected: Option<(Severity, &'static str, &'static str)>,
}

const SIGNED_PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 30] >> endobj\n";
const UNSIGNED_PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Page >> endobj\n";

fn to(draft: &mut Draft, address: &str) {
    draft.to = vec![Mailbox::address(address)];
}

const CASES: &[Case] = &[
    Case {
        name: "no recipient",
        change: |d, _| {
            d.to.clear();
            d.cc.clear();
        },
        rule: Rule::NoRecipient,
        expected: Some((Severity::Blocking, "VI.C.2", "")),
    },
    Case {
        name: "From missing",
        change: |d, _| d.from = None,
        rule: Rule::OfficialFrom,
        expected: Some((Severity::Blocking, "V.C.2", "")),
    },
    Case {
        name: "From at a personal domain",
        change: |d, _| d.from = Some(Mailbox::address("dana.whitfield@gmail.com")),
        rule: Rule::OfficialFrom,
        expected: Some((Severity::Blocking, "V.C.2", "dana.whitfield@gmail.com")),
    },
    Case {
        name: "From at a lookalike of the official domain",
        change: |d, _| d.from = Some(Mailbox::address("dana@fda-hhs.gov")),
        rule: Rule::OfficialFrom,
        expected: Some((Severity::Blocking, "V.C.2", "dana@fda-hhs.gov")),
    },
    Case {
        name: "From at an official subdomain passes",
        change: |d, _| d.from = Some(Mailbox::address("dana.whitfield@cber.fda.hhs.gov")),
        rule: Rule::OfficialFrom,
        expected: None,
    },
    Case {
        name: "From at an added official domain passes",
        change: |d, c| {
            d.from = Some(Mailbox::address("dana.whitfield@fda.gov"));
            c.settings.official_domains.push("fda.gov".into());
        },
        rule: Rule::OfficialFrom,
        expected: None,
    },
    Case {
        name: "recipient without secure email",
        change: |d, _| to(d, "tom.becker@northwind-bio.example"),
        rule: Rule::SecureEmail,
        expected: Some((
            Severity::Blocking,
            "V.A.1",
            "tom.becker@northwind-bio.example",
        )),
    },
    Case {
        name: "Bcc recipient without secure email",
        change: |d, _| d.bcc = vec![Mailbox::address("tom.becker@northwind-bio.example")],
        rule: Rule::SecureEmail,
        expected: Some((
            Severity::Blocking,
            "V.A.1",
            "tom.becker@northwind-bio.example",
        )),
    },
    Case {
        name: "recipient at a subdomain of a TLS partner",
        change: |d, _| to(d, "priya.raman@eu.acmebio.example"),
        rule: Rule::SecureEmail,
        expected: Some((
            Severity::Blocking,
            "V.A.1",
            "priya.raman@eu.acmebio.example",
        )),
    },
    Case {
        name: "recipient with an expired S/MIME certificate",
        change: |d, c| {
            to(d, "lee.park@ivd-systems.example");
            c.at = "2026-06-01T00:00:00Z".parse().expect("time");
        },
        rule: Rule::SecureEmail,
        expected: Some((Severity::Blocking, "V.A.1", "lee.park@ivd-systems.example")),
    },
    Case {
        name: "recipient with a live S/MIME certificate passes",
        change: |d, _| to(d, "lee.park@ivd-systems.example"),
        rule: Rule::SecureEmail,
        expected: None,
    },
    Case {
        name: "recipient without secure email under a recorded exception passes",
        change: |d, _| {
            to(d, "achu@cityhospital.example");
            d.exception = Some(Exception::IndividualPatientInd);
        },
        rule: Rule::SecureEmail,
        expected: None,
    },
    Case {
        name: "recipient at an Appendix A ISP domain",
        change: |d, _| to(d, "priya.raman@gmail.com"),
        rule: Rule::IspDomain,
        expected: Some((Severity::Blocking, "Appendix A", "priya.raman@gmail.com")),
    },
    Case {
        name: "recipient at an ISP domain added to the settings",
        change: |d, c| {
            to(d, "priya@aol.com");
            c.settings.isp_domains.push("aol.com".into());
        },
        rule: Rule::IspDomain,
        expected: Some((Severity::Blocking, "Appendix A", "priya@aol.com")),
    },
    Case {
        name: "recipient at an ISP domain under a recorded exception passes",
        change: |d, _| {
            to(d, "achu@gmail.com");
            d.exception = Some(Exception::Eua);
        },
        rule: Rule::IspDomain,
        expected: None,
    },
    Case {
        name: "subject without the STN",
        change: |d, _| d.subject = "Stability data received".into(),
        rule: Rule::SubjectStn,
        expected: Some((Severity::Blocking, "V.C.3", "STN 125742/0")),
    },
    Case {
        name: "subject with another form of the same application passes",
        change: |d, _| d.subject = "BL 125742/0 - Stability data received".into(),
        rule: Rule::SubjectStn,
        expected: None,
    },
    Case {
        name: "submission recorded in an unread form, named in the subject",
        change: |d, _| {
            d.stn = Some("SPIND 2025-017".into());
            d.subject = "SPIND 2025-017 - Acknowledgement".into();
        },
        rule: Rule::SubjectStn,
        expected: None,
    },
    Case {
        name: "submission recorded in an unread form, missing from the subject",
        change: |d, _| d.stn = Some("SPIND 2025-017".into()),
        rule: Rule::SubjectStn,
        expected: Some((Severity::Blocking, "V.C.3", "SPIND 2025-017")),
    },
    Case {
        name: "reply naming no submission to a message about one",
        change: |d, _| {
            d.stn = None;
            d.subject = "Stability data received".into();
        },
        rule: Rule::SubjectStn,
        expected: Some((Severity::Warning, "V.C.3", "STN 125742/0")),
    },
    Case {
        name: "general reply not about the submission passes",
        change: |d, _| {
            d.stn = None;
            d.about_submission = false;
            d.subject = "Parking at White Oak".into();
            d.cc.clear();
        },
        rule: Rule::SubjectStn,
        expected: None,
    },
    Case {
        name: "STN named in the body only",
        change: |d, _| {
            d.stn = None;
            d.subject = "Stability data received".into();
            d.body = "About STN 125742/0: received.\n".into();
        },
        rule: Rule::SubjectStn,
        expected: Some((Severity::Blocking, "V.C.3", "STN 125742/0")),
    },
    Case {
        name: "empty subject",
        change: |d, _| d.subject = String::new(),
        rule: Rule::SubjectTopic,
        expected: Some((Severity::Blocking, "V.C.3", "")),
    },
    Case {
        name: "subject with the STN and no topic",
        change: |d, _| d.subject = "RE: STN 125742/0".into(),
        rule: Rule::SubjectTopic,
        expected: Some((Severity::Warning, "V.C.3", "RE: STN 125742/0")),
    },
    Case {
        name: "RPM not copied",
        change: |d, _| d.cc.clear(),
        rule: Rule::RpmCc,
        expected: Some((Severity::Blocking, "VII.B.1", "marcus.ortega@fda.hhs.gov")),
    },
    Case {
        name: "RPM only in Bcc",
        change: |d, _| d.bcc = std::mem::take(&mut d.cc),
        rule: Rule::RpmCc,
        expected: Some((Severity::Blocking, "VII.B.1", "marcus.ortega@fda.hhs.gov")),
    },
    Case {
        name: "RPM as the sender passes",
        change: |d, _| {
            d.cc.clear();
            d.from = Some(Mailbox::address("marcus.ortega@fda.hhs.gov"));
        },
        rule: Rule::RpmCc,
        expected: None,
    },
    Case {
        name: "no reminder when the original lacked the RPM",
        change: |_, c| {
            if let Some(original) = c.original.as_mut() {
                original.rpm_addressed = Some(false);
            }
        },
        rule: Rule::RpmReminder,
        expected: Some((Severity::Blocking, "VII.B.1", "marcus.ortega@fda.hhs.gov")),
    },
    Case {
        name: "no reminder when the original's recipients lack the RPM",
        change: |_, c| {
            if let Some(original) = c.original.as_mut() {
                original.rpm_addressed = None;
                original.recipients = vec![REVIEWER.into()];
            }
        },
        rule: Rule::RpmReminder,
        expected: Some((Severity::Blocking, "VII.B.1", "marcus.ortega@fda.hhs.gov")),
    },
    Case {
        name: "reminder in the body passes",
        change: |d, c| {
            if let Some(original) = c.original.as_mut() {
                original.rpm_addressed = Some(false);
            }
            d.body.push_str("\nPlease include Marcus Ortega (marcus.ortega@fda.hhs.gov) on all future emails.\n");
        },
        rule: Rule::RpmReminder,
        expected: None,
    },
    Case {
        name: "recipient outside the sponsor's domains",
        change: |d, c| {
            d.cc.push(Mailbox::address("agent@regconsult.example"));
            c.partners = regmail::drafts::PartnerRegistry::from_entries(vec![
                partner("acmebio.example", PartnerMethod::Tls, None),
                partner("regconsult.example", PartnerMethod::Tls, None),
            ]);
        },
        rule: Rule::SponsorDomain,
        expected: Some((Severity::Warning, "VI.C.2", "agent@regconsult.example")),
    },
    Case {
        name: "recipient at a sponsor subdomain passes",
        change: |d, _| to(d, "priya.raman@eu.acmebio.example"),
        rule: Rule::SponsorDomain,
        expected: None,
    },
    Case {
        name: "address one slip from the sender replied to",
        change: |d, _| to(d, "priya.ramen@acmebio.example"),
        rule: Rule::NearMissAddress,
        expected: Some((Severity::Warning, "VI.C.2", "priya.ramen@acmebio.example")),
    },
    Case {
        name: "RPM address with swapped letters",
        change: |d, _| d.cc = vec![Mailbox::address("marcus.ortgea@fda.hhs.gov")],
        rule: Rule::NearMissAddress,
        expected: Some((Severity::Warning, "VI.C.2", "marcus.ortgea@fda.hhs.gov")),
    },
    Case {
        name: "domain two slips from the sponsor's",
        change: |d, _| to(d, "new.person@acmbio.exmple"),
        rule: Rule::NearMissAddress,
        expected: Some((Severity::Warning, "VI.C.2", "new.person@acmbio.exmple")),
    },
    Case {
        name: "new colleague at the sponsor's domain passes",
        change: |d, _| to(d, "lee.wong@acmebio.example"),
        rule: Rule::NearMissAddress,
        expected: None,
    },
    Case {
        name: "long quoted string",
        change: |d, _| d.body.push_str("\n> Earlier reply\n> > The first email\n"),
        rule: Rule::EmailString,
        expected: Some((Severity::Warning, "V.C.4", "2 earlier messages quoted")),
    },
    Case {
        name: "one quoted message under a limit of zero",
        change: |d, c| {
            d.body.push_str("\n> The email replied to\n");
            c.settings.max_quoted_messages = 0;
        },
        rule: Rule::EmailString,
        expected: Some((Severity::Warning, "V.C.4", "1 earlier message quoted")),
    },
    Case {
        name: "one quoted message under the default limit passes",
        change: |d, _| d.body.push_str("\n> The email replied to\n"),
        rule: Rule::EmailString,
        expected: None,
    },
    Case {
        name: "quoted string with the original's attachment",
        change: |d, _| {
            d.body
                .push_str("\n-----Original Message-----\nFrom: Priya\n")
        },
        rule: Rule::StringAttachment,
        expected: Some((Severity::Warning, "V.C.4", "stability tables.pdf")),
    },
    Case {
        name: "no quote, so no string attachment",
        change: |_, _| {},
        rule: Rule::StringAttachment,
        expected: None,
    },
    Case {
        name: "another sponsor's application in the body",
        change: |d, _| d.body.push_str("\nSee also BK251234.\n"),
        rule: Rule::OtherApplication,
        expected: Some((Severity::Warning, "V.C.7", "BK251234")),
    },
    Case {
        name: "another BLA in a trans-BLA communication passes",
        change: |d, _| {
            d.body.push_str("\nThe same applies to STN 125999/0.\n");
            d.marks.trans_bla = true;
        },
        rule: Rule::OtherApplication,
        expected: None,
    },
    Case {
        name: "a related precursor marked as such passes",
        change: |d, _| {
            d.body.push_str("\nAs discussed under IND 12345.\n");
            d.marks.related.push("IND 12345".into());
        },
        rule: Rule::OtherApplication,
        expected: None,
    },
    Case {
        name: "template instruction left in the body",
        change: |d, _| {
            d.body
                .push_str("\n[[Write the general information here.]]\n")
        },
        rule: Rule::UnfilledText,
        expected: Some((
            Severity::Blocking,
            "IV.E",
            "[[Write the general information here.]]",
        )),
    },
    Case {
        name: "letter that is not signed",
        change: |d, _| {
            d.attachments.push(DraftAttachment::new(
                "letter.pdf",
                UNSIGNED_PDF.to_vec(),
                true,
            ))
        },
        rule: Rule::PivLetterUnsigned,
        expected: Some((Severity::Blocking, "V.C.5", "letter.pdf")),
    },
    Case {
        name: "signed letter passes the signature rule",
        change: |d, _| {
            d.attachments.push(DraftAttachment::new(
                "letter.pdf",
                SIGNED_PDF.to_vec(),
                true,
            ))
        },
        rule: Rule::PivLetterUnsigned,
        expected: None,
    },
    Case {
        name: "covering email of a signed letter",
        change: |d, _| {
            d.attachments.push(DraftAttachment::new(
                "IR letter.pdf",
                SIGNED_PDF.to_vec(),
                false,
            ))
        },
        rule: Rule::PivLetterCer,
        expected: Some((Severity::Warning, "V.C.5", "IR letter.pdf")),
    },
    Case {
        name: "unsigned attachment is no letter",
        change: |d, _| {
            d.attachments.push(DraftAttachment::new(
                "tables.pdf",
                UNSIGNED_PDF.to_vec(),
                false,
            ))
        },
        rule: Rule::PivLetterCer,
        expected: None,
    },
];

fn of_rule(findings: &[Finding], rule: Rule) -> Vec<&Finding> {
    findings.iter().filter(|f| f.rule == rule).collect()
}

#[test]
fn clean_draft_has_no_findings() {
    let findings = check(&clean_draft(), &clean_context());
    assert_eq!(findings, Vec::<Finding>::new());
}

#[test]
fn each_check_fails_and_passes() {
    for case in CASES {
        let mut draft = clean_draft();
        let mut context = clean_context();
        (case.change)(&mut draft, &mut context);
        let findings = check(&draft, &context);
        let found = of_rule(&findings, case.rule);
        match case.expected {
            None => assert!(found.is_empty(), "{}: unexpected {found:#?}", case.name),
            Some((severity, section, value)) => {
                assert_eq!(found.len(), 1, "{}: {findings:#?}", case.name);
                let finding = found[0];
                assert_eq!(finding.severity, severity, "{}: severity", case.name);
                assert_eq!(finding.section, section, "{}: section", case.name);
                assert_eq!(finding.value, value, "{}: value", case.name);
                assert!(!finding.message.is_empty(), "{}: message", case.name);
                assert!(!finding.fix.is_empty(), "{}: fix", case.name);
            }
        }
    }
}

#[test]
fn every_rule_has_a_failing_case() {
    let all = [
        Rule::NoRecipient,
        Rule::OfficialFrom,
        Rule::SecureEmail,
        Rule::IspDomain,
        Rule::SubjectStn,
        Rule::SubjectTopic,
        Rule::RpmCc,
        Rule::RpmReminder,
        Rule::SponsorDomain,
        Rule::NearMissAddress,
        Rule::EmailString,
        Rule::StringAttachment,
        Rule::OtherApplication,
        Rule::UnfilledText,
        Rule::PivLetterUnsigned,
        Rule::PivLetterCer,
    ];
    for rule in all {
        assert!(
            CASES.iter().any(|c| c.rule == rule && c.expected.is_some()),
            "{rule} has no failing case"
        );
        assert!(
            CASES.iter().any(|c| c.rule == rule && c.expected.is_none())
                || matches!(
                    rule,
                    Rule::NoRecipient | Rule::SubjectTopic | Rule::UnfilledText
                ),
            "{rule} has no passing case besides the clean draft"
        );
    }
}

#[test]
fn isp_recipient_is_not_also_reported_as_unsecured() {
    let mut draft = clean_draft();
    to(&mut draft, "priya.raman@gmail.com");
    let findings = check(&draft, &clean_context());
    assert!(
        of_rule(&findings, Rule::SecureEmail).is_empty(),
        "{findings:#?}"
    );
}

#[test]
fn expired_certificate_is_named_in_the_message() {
    let mut draft = clean_draft();
    to(&mut draft, "lee.park@ivd-systems.example");
    let mut context = clean_context();
    context.at = "2026-06-01T00:00:00Z".parse().expect("time");
    let findings = check(&draft, &context);
    let secure = of_rule(&findings, Rule::SecureEmail);
    assert!(
        secure[0].message.contains("expired on 2026-01-01"),
        "{secure:#?}"
    );
}

#[test]
fn another_sponsors_application_names_the_sponsor() {
    let mut draft = clean_draft();
    draft.body.push_str("\nSee also BK251234.\n");
    let findings = check(&draft, &clean_context());
    let other = of_rule(&findings, Rule::OtherApplication);
    assert!(other[0].message.contains("IVD Systems"), "{other:#?}");
}

#[test]
fn blocking_findings_come_first() {
    let mut draft = clean_draft();
    draft.body.push_str("\nSee also BK251234.\n");
    draft.cc.clear();
    let findings = check(&draft, &clean_context());
    let severities: Vec<Severity> = findings.iter().map(|f| f.severity).collect();
    let mut sorted = severities.clone();
    sorted.sort();
    assert_eq!(severities, sorted);
    assert_eq!(severities.first(), Some(&Severity::Blocking));
    assert_eq!(severities.last(), Some(&Severity::Warning));
}

#[test]
fn findings_serialize_with_the_contract_fields() {
    let mut draft = clean_draft();
    draft.cc.clear();
    let findings = check(&draft, &clean_context());
    let json = serde_json::to_value(&findings).expect("serializes");
    let first = &json[0];
    assert_eq!(first["rule"], "rpm-cc");
    assert_eq!(first["severity"], "blocking");
    assert_eq!(first["section"], "VII.B.1");
    assert_eq!(first["value"], "marcus.ortega@fda.hhs.gov");
    assert!(first["fix"].as_str().is_some_and(|fix| fix.contains("Cc")));
}
