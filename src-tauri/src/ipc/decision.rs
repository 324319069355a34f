//! The decision form: the path through the SOPP tree with inferred answers and evidence,
//! and the resulting disposition and tasks.

use serde::{Deserialize, Serialize};
use specta::Type;

use regmail::calendar::BusinessCalendar;
use regmail::sopp::engine::{Outcome, Source, Step, TaskOutcome};
use regmail::sopp::Tree;

/// One answer given by the reviewer.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AnswerDto {
    /// The question key (`kind`, `regulatory`).
    pub key: String,
    /// The chosen value.
    pub value: String,
}

/// A possible answer.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ChoiceDto {
    /// The value.
    pub value: String,
    /// Its meaning.
    pub label: String,
}

/// One question on the path.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StepDto {
    /// The question key, used in answers.
    pub key: String,
    /// The question.
    pub question: String,
    /// The SOPP section.
    pub section: String,
    /// The SOPP's governing sentence.
    pub quote: String,
    /// The value used.
    pub answer: String,
    /// Its meaning.
    pub label: String,
    /// Whether the value was given by the reviewer (`answered`) or `inferred`.
    pub source: String,
    /// The inferred value.
    pub inferred: String,
    /// The evidence for the inferred value.
    pub evidence: Vec<String>,
    /// Whether the evidence settles the inferred value; an uncertain one needs confirming.
    pub certain: bool,
    /// The possible answers.
    pub choices: Vec<ChoiceDto>,
}

/// A task the outcome calls for.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskOutcomeDto {
    /// The task kind.
    pub kind: String,
    /// The action.
    pub title: String,
    /// The person responsible.
    pub role: String,
    /// The SOPP section.
    pub section: String,
    /// The SOPP's sentence.
    pub quote: String,
    /// Due time, RFC 3339 Eastern Time.
    pub due_at: Option<String>,
    /// Due time formatted for display.
    pub due_at_et: Option<String>,
    /// The calendar's reasoning for the due time.
    pub explanation: Vec<String>,
}

/// The contact an emergency-use request is redirected to.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RedirectDto {
    /// Name.
    pub name: String,
    /// Telephone numbers.
    pub phones: Vec<String>,
    /// Email, where the SOPP gives one.
    pub email: Option<String>,
    /// When this contact applies.
    pub when: String,
}

/// The outcome of walking the tree for a message.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DecisionDto {
    /// The SOPP applied, as "SOPP 8119 v11".
    pub sopp: String,
    /// Whether the message is regulatory.
    pub regulatory: bool,
    /// Identifiers, canonical form.
    pub identifiers: Vec<String>,
    /// Receipt time in Eastern Time.
    pub received_at_et: String,
    /// The questions on the path, in order.
    pub steps: Vec<StepDto>,
    /// The disposition (`accept`).
    pub disposition: String,
    /// The section governing it.
    pub section: String,
    /// The redirect contact, for an emergency-use request.
    pub redirect: Option<RedirectDto>,
    /// RPMs of the submissions named, as "Name <email>".
    pub rpms: Vec<String>,
    /// Tasks.
    pub tasks: Vec<TaskOutcomeDto>,
    /// Keys of the questions answered by an uncertain inference.
    pub open_questions: Vec<String>,
}

impl DecisionDto {
    /// Builds the transport form of `outcome`, with choices from `tree`.
    pub fn new(outcome: &Outcome, tree: &Tree, calendar: &BusinessCalendar) -> DecisionDto {
        DecisionDto {
            sopp: format!("SOPP {} v{}", outcome.sopp.number, outcome.sopp.version),
            regulatory: outcome.regulatory,
            identifiers: outcome.identifiers.iter().map(|i| i.value.clone()).fold(
                Vec::new(),
                |mut values, value| {
                    if !values.contains(&value) {
                        values.push(value);
                    }
                    values
                },
            ),
            received_at_et: calendar.format_eastern(outcome.received_at.timestamp()),
            steps: outcome
                .steps
                .iter()
                .map(|step| step_dto(step, outcome, tree))
                .collect(),
            disposition: outcome.disposition.as_str().to_owned(),
            section: outcome.section.clone(),
            redirect: outcome.redirect.as_ref().map(|r| RedirectDto {
                name: r.full_name.clone(),
                phones: r.phones.clone(),
                email: r.email.clone(),
                when: r.when.clone(),
            }),
            rpms: outcome
                .rpms
                .iter()
                .map(|e| format!("{} <{}> ({})", e.rpm_name, e.rpm_email, e.stn))
                .collect(),
            tasks: outcome
                .tasks
                .iter()
                .map(|t| task_dto(t, calendar))
                .collect(),
            open_questions: outcome
                .open_questions
                .iter()
                .map(|q| q.key.as_str().to_owned())
                .collect(),
        }
    }
}

fn step_dto(step: &Step, outcome: &Outcome, tree: &Tree) -> StepDto {
    let fact = outcome.fact(step.fact);
    let choices = tree
        .node(&step.node)
        .map(|node| {
            node.answers
                .iter()
                .map(|a| ChoiceDto {
                    value: a.value.clone(),
                    label: a.label.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    StepDto {
        key: step.fact.as_str().to_owned(),
        question: step.question.clone(),
        section: step.section.clone(),
        quote: step.quote.clone(),
        answer: step.answer.clone(),
        label: step.label.clone(),
        source: match step.source {
            Source::Inferred => "inferred",
            Source::Answered => "answered",
        }
        .to_owned(),
        inferred: fact.map(|f| f.inferred.clone()).unwrap_or_default(),
        evidence: fact.map(|f| f.evidence.clone()).unwrap_or_default(),
        certain: fact.is_some_and(|f| f.certain),
        choices,
    }
}

fn task_dto(task: &TaskOutcome, calendar: &BusinessCalendar) -> TaskOutcomeDto {
    TaskOutcomeDto {
        kind: task.kind.clone(),
        title: task.title.clone(),
        role: task.role.as_str().to_owned(),
        section: task.section.clone(),
        quote: task.quote.clone(),
        due_at: task
            .due_at
            .as_ref()
            .map(|d| calendar.format_rfc3339(d.timestamp())),
        due_at_et: task
            .due_at
            .as_ref()
            .map(|d| calendar.format_eastern(d.timestamp())),
        explanation: task.deadline_explanation.clone(),
    }
}
