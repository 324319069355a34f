//! The decision engine: a pure walk of the [`Tree`] over a message's facts and the
//! reviewer's answers, producing a disposition, a redirect contact and tasks with their
//! due times.
//!
//! Each question is answered by the reviewer's answer when one is given, and otherwise by
//! the inferred fact, marked as inferred. An inference that is not certain becomes an open
//! question that the reviewer should confirm; the walk still goes on with it. Storing
//! answers and tasks is left to the store.

use std::collections::BTreeMap;

use jiff::ZonedDateTime;
use serde::{Deserialize, Serialize};

use super::clock::{self, BusinessClock};
use super::directory::{Directory, DirectoryEntry};
use super::facts::{infer_facts, FactKey, MessageFacts, Settings};
use super::identifiers::Identifier;
use super::tree::{DeadlineRule, Disposition, Role, Tree};
use crate::calendar::Policy;

/// Errors that stop an evaluation.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EngineError {
    /// An answer is not in `KEY=VALUE` form.
    #[error("invalid answer {text:?}; expected KEY=VALUE, for example kind=agreed")]
    AnswerSyntax {
        /// The text given.
        text: String,
    },
    /// An answer names a question the tree does not ask.
    #[error("unknown answer key {key:?}; expected one of: {expected}")]
    UnknownAnswerKey {
        /// The key given.
        key: String,
        /// The keys the tree asks, comma-separated.
        expected: String,
    },
    /// An answer's value is not one of the question's answers.
    #[error("invalid value {value:?} for answer {key}; expected one of: {expected}")]
    InvalidAnswer {
        /// The question.
        key: FactKey,
        /// The value given.
        value: String,
        /// The allowed values, comma-separated.
        expected: String,
    },
    /// The business calendar could not compute a task's deadline.
    #[error("deadline of task {task} could not be computed")]
    Deadline {
        /// The task kind.
        task: String,
        /// The calendar's error.
        #[source]
        source: clock::ClockError,
    },
    /// The tree is inconsistent; [`Tree::parse`] rejects such trees.
    #[error("decision tree is inconsistent at node {node:?}: {problem}; load it with Tree::parse to find the cause")]
    InconsistentTree {
        /// The node.
        node: String,
        /// The inconsistency.
        problem: String,
    },
}

/// The reviewer's answers, by question.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    values: BTreeMap<FactKey, String>,
}

impl Answers {
    /// Returns an empty set of answers.
    pub fn new() -> Answers {
        Answers::default()
    }

    /// Parses `KEY=VALUE` pairs such as `kind=agreed`. Later pairs replace earlier ones.
    ///
    /// # Errors
    ///
    /// Returns [`EngineError::AnswerSyntax`] or [`EngineError::UnknownAnswerKey`]; values
    /// are checked against the tree by [`evaluate`].
    pub fn parse_pairs<'a>(
        pairs: impl IntoIterator<Item = &'a str>,
    ) -> Result<Answers, EngineError> {
        let mut answers = Answers::new();
        for pair in pairs {
            let Some((key, value)) = pair.split_once('=') else {
                return Err(EngineError::AnswerSyntax {
                    text: pair.to_owned(),
                });
            };
            let key = FactKey::parse(key.trim()).ok_or_else(|| EngineError::UnknownAnswerKey {
                key: key.trim().to_owned(),
                expected: FactKey::ALL.map(FactKey::as_str).join(", "),
            })?;
            answers.set(key, value.trim());
        }
        Ok(answers)
    }

    /// Sets the answer to `key`.
    pub fn set(&mut self, key: FactKey, value: &str) {
        self.values.insert(key, value.to_owned());
    }

    /// Returns the answer to `key`, if given.
    pub fn get(&self, key: FactKey) -> Option<&str> {
        self.values.get(&key).map(String::as_str)
    }

    /// Returns the answers in key order.
    pub fn iter(&self) -> impl Iterator<Item = (FactKey, &str)> {
        self.values
            .iter()
            .map(|(key, value)| (*key, value.as_str()))
    }

    /// Returns whether no answer is given.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Whether a value came from inference or from the reviewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Inferred from the message.
    Inferred,
    /// Given by the reviewer.
    Answered,
}

/// The SOPP version an outcome was reached under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoppReference {
    /// The SOPP number.
    pub number: String,
    /// The version.
    pub version: String,
    /// The effective date of the version.
    pub effective: jiff::civil::Date,
}

/// A fact after the reviewer's answers are applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactOutcome {
    /// Which fact.
    pub key: FactKey,
    /// The value used: the reviewer's answer, or else the inferred value.
    pub value: String,
    /// The origin of the value.
    pub source: Source,
    /// The inferred value, which differs from `value` when the reviewer overrode it.
    pub inferred: String,
    /// The evidence for the inferred value.
    pub evidence: Vec<String>,
    /// Whether the evidence settles the inferred value.
    pub certain: bool,
}

/// One question on the path through the tree and how it was answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The node id.
    pub node: String,
    /// The fact that answers it.
    pub fact: FactKey,
    /// The question.
    pub question: String,
    /// The SOPP section.
    pub section: String,
    /// The SOPP's governing sentence.
    pub quote: String,
    /// The answer value used.
    pub answer: String,
    /// The meaning of the answer.
    pub label: String,
    /// The origin of the answer.
    pub source: Source,
}

/// A question the engine answered by an uncertain inference, for the reviewer to confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenQuestion {
    /// The answer key.
    pub key: FactKey,
    /// The question.
    pub question: String,
    /// The SOPP section.
    pub section: String,
    /// The SOPP's governing sentence.
    pub quote: String,
    /// The value the engine used.
    pub inferred: String,
    /// The evidence for it.
    pub evidence: Vec<String>,
    /// The possible answers.
    pub choices: Vec<Choice>,
}

/// One possible answer to a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// The answer value.
    pub value: String,
    /// Its meaning.
    pub label: String,
}

/// The contact an emergency-use request is redirected to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redirect {
    /// The contact id in the tree.
    pub contact: String,
    /// Short name (`OCOD`, `Emergency Call Center`).
    pub name: String,
    /// Full name.
    pub full_name: String,
    /// Telephone numbers.
    pub phones: Vec<String>,
    /// Email address, where the SOPP gives one.
    pub email: Option<String>,
    /// When this contact applies.
    pub when: String,
    /// The SOPP section.
    pub section: String,
}

/// A task the outcome calls for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskOutcome {
    /// The task kind (`forward-to-rpm`).
    pub kind: String,
    /// The action.
    pub title: String,
    /// The person responsible.
    pub role: Role,
    /// The SOPP section that calls for it.
    pub section: String,
    /// The SOPP's sentence.
    pub quote: String,
    /// The deadline rule, if the SOPP sets one.
    pub deadline: Option<DeadlineRule>,
    /// The policy `due_at` was computed under, or none when there is no deadline.
    #[serde(default)]
    pub policy: Option<Policy>,
    /// When it falls due, in America/New_York, or none.
    #[serde(with = "clock::serde_rfc3339::option")]
    pub due_at: Option<ZonedDateTime>,
    /// The early-warning mark, or none. Under [`Policy::Elapsed`] it equals `due_at`.
    #[serde(with = "clock::serde_rfc3339::option")]
    pub warn_at: Option<ZonedDateTime>,
    /// The calendar's reasoning for `due_at`, empty when there is no deadline.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deadline_explanation: Vec<String>,
}

/// The result of walking the tree for one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// The SOPP version applied.
    pub sopp: SoppReference,
    /// Whether the message is regulatory, after the reviewer's answer.
    pub regulatory: bool,
    /// The identifiers found.
    pub identifiers: Vec<Identifier>,
    /// When the message reached the FDA mail server, in America/New_York.
    #[serde(with = "clock::serde_rfc3339")]
    pub received_at: ZonedDateTime,
    /// Every fact with its evidence.
    pub facts: Vec<FactOutcome>,
    /// The questions on the path, in order.
    pub steps: Vec<Step>,
    /// The disposition.
    pub disposition: Disposition,
    /// The SOPP section governing the disposition.
    pub section: String,
    /// The contact an emergency-use request is redirected to, or none.
    pub redirect: Option<Redirect>,
    /// The RPM directory entries of the submissions named.
    pub rpms: Vec<DirectoryEntry>,
    /// The tasks, in the order the walk created them.
    pub tasks: Vec<TaskOutcome>,
    /// Questions answered by an uncertain inference.
    pub open_questions: Vec<OpenQuestion>,
}

impl Outcome {
    /// Returns the task of kind `kind`, if the outcome calls for one.
    pub fn task(&self, kind: &str) -> Option<&TaskOutcome> {
        self.tasks.iter().find(|task| task.kind == kind)
    }

    /// Returns the fact for `key`.
    pub fn fact(&self, key: FactKey) -> Option<&FactOutcome> {
        self.facts.iter().find(|fact| fact.key == key)
    }
}

/// Walks `tree` for `message` with the reviewer's `answers`.
///
/// # Errors
///
/// Returns [`EngineError::UnknownAnswerKey`] or [`EngineError::InvalidAnswer`] when an
/// answer does not fit the tree, and [`EngineError::InconsistentTree`] for a tree that
/// [`Tree::parse`] would have rejected.
pub fn evaluate(
    tree: &Tree,
    message: &MessageFacts,
    answers: &Answers,
    settings: &Settings,
    directory: &Directory,
    clock: &dyn BusinessClock,
) -> Result<Outcome, EngineError> {
    check_answers(tree, answers)?;
    let inferred = infer_facts(message, directory, settings, clock);

    let mut steps = Vec::new();
    let mut open_questions = Vec::new();
    let mut task_kinds: Vec<&str> = Vec::new();
    let mut disposition = None;
    let mut redirect = None;

    let mut node_id = tree.sopp.start.as_str();
    loop {
        let node = tree
            .node(node_id)
            .ok_or_else(|| EngineError::InconsistentTree {
                node: node_id.to_owned(),
                problem: "the node is not defined".to_owned(),
            })?;
        let fact = inferred.get(node.fact);
        let (value, source) = match answers.get(node.fact) {
            Some(value) => (value, Source::Answered),
            None => (fact.value.as_str(), Source::Inferred),
        };
        let answer = node
            .answers
            .iter()
            .find(|a| a.value == value)
            .ok_or_else(|| EngineError::InconsistentTree {
                node: node.id.clone(),
                problem: format!("no answer for the inferred value {value:?}"),
            })?;

        if source == Source::Inferred && !fact.certain {
            open_questions.push(OpenQuestion {
                key: node.fact,
                question: node.question.clone(),
                section: node.section.clone(),
                quote: node.quote.clone(),
                inferred: fact.value.clone(),
                evidence: fact.evidence.clone(),
                choices: node
                    .answers
                    .iter()
                    .map(|a| Choice {
                        value: a.value.clone(),
                        label: a.label.clone(),
                    })
                    .collect(),
            });
        }
        steps.push(Step {
            node: node.id.clone(),
            fact: node.fact,
            question: node.question.clone(),
            section: node.section.clone(),
            quote: node.quote.clone(),
            answer: answer.value.clone(),
            label: answer.label.clone(),
            source,
        });

        for kind in &answer.tasks {
            if !task_kinds.contains(&kind.as_str()) {
                task_kinds.push(kind);
            }
        }
        if let Some(value) = answer.disposition {
            let section = answer
                .section
                .clone()
                .unwrap_or_else(|| node.section.clone());
            disposition = Some((value, section));
        }
        if let Some(id) = &answer.redirect {
            redirect = Some(build_redirect(tree, &node.id, id)?);
        }

        match &answer.next {
            Some(next) => node_id = next,
            None => break,
        }
    }

    let (disposition, section) = disposition.ok_or_else(|| EngineError::InconsistentTree {
        node: node_id.to_owned(),
        problem: "the walk ended without a disposition".to_owned(),
    })?;
    let tasks = task_kinds
        .iter()
        .map(|kind| build_task(tree, kind, message, settings.deadline_policy, clock))
        .collect::<Result<Vec<_>, _>>()?;

    let facts: Vec<FactOutcome> = inferred
        .facts
        .iter()
        .map(|fact| {
            let answer = answers.get(fact.key);
            FactOutcome {
                key: fact.key,
                value: answer.unwrap_or(&fact.value).to_owned(),
                source: if answer.is_some() {
                    Source::Answered
                } else {
                    Source::Inferred
                },
                inferred: fact.value.clone(),
                evidence: fact.evidence.clone(),
                certain: fact.certain,
            }
        })
        .collect();
    let regulatory = facts
        .iter()
        .any(|fact| fact.key == FactKey::Regulatory && fact.value == "yes");

    Ok(Outcome {
        sopp: SoppReference {
            number: tree.sopp.number.clone(),
            version: tree.sopp.version.clone(),
            effective: tree.sopp.effective,
        },
        regulatory,
        identifiers: inferred.identifiers,
        received_at: clock::in_business_zone(message.received_at),
        facts,
        steps,
        disposition,
        section,
        redirect,
        rpms: inferred.rpms,
        tasks,
        open_questions,
    })
}

/// Checks every answer against the node that asks it, whether or not the walk reaches it.
fn check_answers(tree: &Tree, answers: &Answers) -> Result<(), EngineError> {
    for (key, value) in answers.iter() {
        let Some(node) = tree.node_for_fact(key) else {
            let asked: Vec<&str> = tree.nodes.iter().map(|n| n.fact.as_str()).collect();
            return Err(EngineError::UnknownAnswerKey {
                key: key.as_str().to_owned(),
                expected: asked.join(", "),
            });
        };
        if !node.answers.iter().any(|a| a.value == value) {
            let expected: Vec<&str> = node.answers.iter().map(|a| a.value.as_str()).collect();
            return Err(EngineError::InvalidAnswer {
                key,
                value: value.to_owned(),
                expected: expected.join(", "),
            });
        }
    }
    Ok(())
}

fn build_redirect(tree: &Tree, node: &str, id: &str) -> Result<Redirect, EngineError> {
    let contact = tree
        .contacts
        .get(id)
        .ok_or_else(|| EngineError::InconsistentTree {
            node: node.to_owned(),
            problem: format!("contact {id:?} is not defined"),
        })?;
    Ok(Redirect {
        contact: id.to_owned(),
        name: contact.name.clone(),
        full_name: contact.full_name.clone(),
        phones: contact.phones.clone(),
        email: contact.email.clone(),
        when: contact.when.clone(),
        section: contact.section.clone(),
    })
}

fn build_task(
    tree: &Tree,
    kind: &str,
    message: &MessageFacts,
    policy: Policy,
    clock: &dyn BusinessClock,
) -> Result<TaskOutcome, EngineError> {
    let definition = tree
        .tasks
        .get(kind)
        .ok_or_else(|| EngineError::InconsistentTree {
            node: String::new(),
            problem: format!("task {kind:?} is not defined"),
        })?;
    // The only place a deadline is computed, so that every due time follows the calendar.
    let deadline = match definition.deadline {
        Some(rule) => Some(
            clock
                .deadline(message.received_at, message.receipt_source, rule, policy)
                .map_err(|source| EngineError::Deadline {
                    task: kind.to_owned(),
                    source,
                })?,
        ),
        None => None,
    };
    Ok(TaskOutcome {
        kind: kind.to_owned(),
        title: definition.title.clone(),
        role: definition.role,
        section: definition.section.clone(),
        quote: definition.quote.clone(),
        deadline: definition.deadline,
        policy: deadline.as_ref().map(|d| d.policy),
        due_at: deadline.as_ref().map(|d| d.due_at.clone()),
        warn_at: deadline.as_ref().map(|d| d.warn_at.clone()),
        deadline_explanation: deadline.map(|d| d.explanation).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::BusinessCalendar;
    use crate::message::ReceiptSource;
    use crate::sopp::facts::{AttachmentFacts, Encryption, Mailbox};

    fn message(subject: &str, to: &[&str], cc: &[&str]) -> MessageFacts {
        MessageFacts {
            subject: subject.to_owned(),
            body_text: String::new(),
            attachments: Vec::new(),
            from: vec![Mailbox::address("priya.raman@acmebio.example")],
            to: to.iter().map(|a| Mailbox::address(a)).collect(),
            cc: cc.iter().map(|a| Mailbox::address(a)).collect(),
            bcc: Vec::new(),
            received_at: "2025-03-04T15:15:00Z".parse().expect("valid time"),
            receipt_source: ReceiptSource::ReceivedHeader,
            parse_problems: Vec::new(),
            encryption: Encryption::None,
            unparsed: None,
        }
    }

    fn directory() -> Directory {
        Directory::parse_csv(
            "stn,product,sponsor,sponsor_domains,rpm_name,rpm_email\n\
             125742,AB-17,Acme,acmebio.example,Marcus Ortega,marcus.ortega@fda.hhs.gov\n",
        )
        .expect("directory parses")
    }

    fn run(message: &MessageFacts, answers: &[&str]) -> Result<Outcome, EngineError> {
        let calendar = BusinessCalendar::with_shipped_closures(Vec::new()).expect("calendar");
        let answers = Answers::parse_pairs(answers.iter().copied())?;
        evaluate(
            Tree::sopp_8119_v11(),
            message,
            &answers,
            &Settings::default(),
            &directory(),
            &calendar,
        )
    }

    #[test]
    fn answer_overrides_inference() -> Result<(), EngineError> {
        let message = message(
            "STN 125742/0 data",
            &["dana@fda.hhs.gov"],
            &["marcus.ortega@fda.hhs.gov"],
        );
        let inferred = run(&message, &[])?;
        assert_eq!(
            inferred.disposition,
            Disposition::NotAccepted,
            "no agreement shown"
        );
        assert_eq!(inferred.open_questions.len(), 1, "kind is open");
        assert_eq!(inferred.open_questions[0].key, FactKey::Kind);

        let answered = run(&message, &["kind=agreed"])?;
        assert_eq!(answered.disposition, Disposition::Accept);
        assert!(answered.open_questions.is_empty(), "kind was answered");
        let kind = answered.fact(FactKey::Kind).expect("kind fact");
        assert_eq!(kind.source, Source::Answered);
        assert_eq!(kind.inferred, "unsolicited");
        Ok(())
    }

    #[test]
    fn unknown_answer_key_is_rejected() {
        let message = message("STN 125742/0 data", &["dana@fda.hhs.gov"], &[]);
        let err = run(&message, &["colour=blue"]).expect_err("unknown key");
        assert!(
            matches!(err, EngineError::UnknownAnswerKey { ref key, .. } if key == "colour"),
            "{err}"
        );
    }

    #[test]
    fn invalid_answer_value_is_rejected() {
        let message = message("STN 125742/0 data", &["dana@fda.hhs.gov"], &[]);
        let err = run(&message, &["readable=perhaps"]).expect_err("bad value");
        assert!(
            matches!(err, EngineError::InvalidAnswer { key: FactKey::Readable, ref value, .. } if value == "perhaps"),
            "{err}"
        );
    }

    #[test]
    fn answer_off_the_path_is_still_checked() {
        let message = message("Parking", &["dana@fda.hhs.gov"], &[]);
        let err = run(&message, &["attachment-volume=huge"]).expect_err("bad value");
        assert!(matches!(err, EngineError::InvalidAnswer { .. }), "{err}");
    }

    #[test]
    fn not_regulatory_ends_walk() -> Result<(), EngineError> {
        let message = message("Parking at White Oak", &["dana@fda.hhs.gov"], &[]);
        let outcome = run(&message, &[])?;
        assert_eq!(outcome.disposition, Disposition::NotRegulatory);
        assert_eq!(outcome.steps.len(), 1, "only the first question is asked");
        assert!(outcome.tasks.is_empty(), "no tasks");
        assert!(!outcome.regulatory);
        Ok(())
    }

    #[test]
    fn many_attachments_limit_is_exclusive() -> Result<(), EngineError> {
        let mut message = message("BK251234 eCopy", &["dana@fda.hhs.gov"], &[]);
        let attachment = AttachmentFacts {
            name: "part.pdf".into(),
            size: 100,
            mime: "application/pdf".into(),
            empty: false,
            corrupt: false,
        };
        message.attachments = vec![attachment.clone(); 10];
        let ten = run(&message, &[])?;
        assert_eq!(
            ten.disposition,
            Disposition::AcceptMdufa,
            "10 attachments are not many"
        );
        message.attachments.push(attachment);
        let eleven = run(&message, &[])?;
        assert_eq!(
            eleven.disposition,
            Disposition::RequestElectronicMedia,
            "11 are many"
        );
        Ok(())
    }

    #[test]
    fn outcome_round_trips_through_json() -> Result<(), EngineError> {
        let message = message("STN 125742/0 data", &["dana@fda.hhs.gov"], &[]);
        let outcome = run(&message, &["kind=agreed"])?;
        let text = serde_json::to_string(&outcome).expect("serializes");
        assert!(
            text.contains("\"due_at\":\"2025-03-05T16:30:00-05:00\""),
            "{text}"
        );
        let back: Outcome = serde_json::from_str(&text).expect("deserializes");
        assert_eq!(back, outcome);
        Ok(())
    }
}
