//! The SOPP decision tree as data: its questions, answers, dispositions, redirect contacts
//! and tasks, loaded from a TOML file and checked before use.
//!
//! The tree for SOPP 8119 version 11 (effective April 9, 2024) is embedded from
//! `data/sopp-8119-v11.toml`. A later version of the SOPP is a new data file passed to
//! [`Tree::parse`]; the engine in [`super::engine`] does not change with it. What the tree
//! leaves to code is how each fact is inferred from a message ([`super::facts`]) and how
//! a deadline rule maps to a time (the business calendar).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::facts::FactKey;

/// The tree of SOPP 8119 version 11, as embedded in the binary.
pub const SOPP_8119_V11: &str = include_str!("data/sopp-8119-v11.toml");

/// Errors found while loading a decision tree.
#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    /// The file is not valid TOML or does not have the tree's shape.
    #[error("invalid decision tree file")]
    Parse {
        /// The TOML error, with its line and column.
        #[source]
        source: toml::de::Error,
    },
    /// The start node does not exist.
    #[error("start node {start:?} is not defined; add a [[nodes]] entry with that id")]
    UnknownStart {
        /// The missing node id.
        start: String,
    },
    /// Two nodes share an id.
    #[error("node id {id:?} is defined twice; node ids must be unique")]
    DuplicateNode {
        /// The repeated id.
        id: String,
    },
    /// A node offers the same answer twice.
    #[error("node {node:?} offers answer {value:?} twice")]
    DuplicateAnswer {
        /// The node.
        node: String,
        /// The repeated answer value.
        value: String,
    },
    /// An answer points to a node that does not exist.
    #[error("answer {value:?} of node {node:?} goes to unknown node {next:?}")]
    UnknownNext {
        /// The node.
        node: String,
        /// The answer value.
        value: String,
        /// The missing node id.
        next: String,
    },
    /// An answer creates a task that has no `[tasks.NAME]` definition.
    #[error(
        "answer {value:?} of node {node:?} creates undefined task {task:?}; add [tasks.{task}]"
    )]
    UnknownTask {
        /// The node.
        node: String,
        /// The answer value.
        value: String,
        /// The missing task kind.
        task: String,
    },
    /// An answer redirects to a contact that has no `[contacts.NAME]` definition.
    #[error(
        "answer {value:?} of node {node:?} redirects to undefined contact {contact:?}; add [contacts.{contact}]"
    )]
    UnknownContact {
        /// The node.
        node: String,
        /// The answer value.
        value: String,
        /// The missing contact id.
        contact: String,
    },
    /// The engine can infer a value of the node's fact that no answer covers.
    #[error(
        "node {node:?} asks fact {fact} but offers no answer {value:?}, which the engine can infer"
    )]
    MissingAnswer {
        /// The node.
        node: String,
        /// The fact the node asks.
        fact: FactKey,
        /// The uncovered value.
        value: String,
    },
    /// A path through the tree ends without a disposition.
    #[error("answer {value:?} of node {node:?} ends the walk without a disposition; add `disposition` or `next`")]
    NoDisposition {
        /// The node.
        node: String,
        /// The answer value.
        value: String,
    },
    /// A path through the tree visits a node twice.
    #[error("node {node:?} can be reached from itself; the tree must not loop")]
    Cycle {
        /// A node on the loop.
        node: String,
    },
    /// A task offers the same resolution twice.
    #[error("task {task:?} offers resolution {value:?} twice")]
    DuplicateResolution {
        /// The task kind.
        task: String,
        /// The repeated resolution value.
        value: String,
    },
    /// A task waits for a task kind that has no `[tasks.NAME]` definition.
    #[error("task {task:?} must come after undefined task {after:?}; add [tasks.{after}]")]
    UnknownPrerequisite {
        /// The task kind.
        task: String,
        /// The missing task kind.
        after: String,
    },
    /// A node cannot be reached from the start node.
    #[error("node {node:?} cannot be reached from the start node")]
    Unreachable {
        /// The unreachable node.
        node: String,
    },
}

/// A decision tree for one version of a SOPP.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tree {
    /// The SOPP this tree implements.
    pub sopp: SoppVersion,
    /// Redirect contacts, by id.
    #[serde(default)]
    pub contacts: BTreeMap<String, Contact>,
    /// Task definitions, by task kind.
    pub tasks: BTreeMap<String, TaskDefinition>,
    /// The questions, in the order they are usually asked.
    pub nodes: Vec<Node>,
}

/// The SOPP number, version and effective date, with the tree's start node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoppVersion {
    /// The SOPP number (`8119`).
    pub number: String,
    /// The version (`11`).
    pub version: String,
    /// The SOPP title.
    pub title: String,
    /// The date this version took effect.
    pub effective: jiff::civil::Date,
    /// The id of the first node.
    pub start: String,
}

/// A contact that a request is redirected to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Short name (`OCOD`).
    pub name: String,
    /// Full name of the office.
    pub full_name: String,
    /// Telephone numbers, in the SOPP's order.
    pub phones: Vec<String>,
    /// Email address, where the SOPP gives one.
    #[serde(default)]
    pub email: Option<String>,
    /// When this contact applies.
    pub when: String,
    /// The SOPP section that names the contact.
    pub section: String,
    /// The SOPP's sentence naming the contact.
    pub quote: String,
}

/// The person responsible for a task, in the SOPP's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The CBER recipient of the email.
    Reviewer,
    /// The Regulatory Project Manager of the submission.
    Rpm,
    /// The RPM or someone the RPM designates.
    RpmOrDesignee,
}

impl Role {
    /// Returns the role's name as used in serialized output.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reviewer => "reviewer",
            Role::Rpm => "rpm",
            Role::RpmOrDesignee => "rpm-or-designee",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A deadline rule of the business calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeadlineRule {
    /// "Within one business day of receipt" (SOPP 8119 VI.C.6, VII.A.1, VII.A.2.a).
    OneBusinessDay,
}

/// The outcome for a message at the end of the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Disposition {
    /// Accepted as the official document (VII.A.3).
    Accept,
    /// Accepted as a single patient expanded-access IND (V.B.2.b).
    AcceptSpind,
    /// Accepted as a MDUFA product communication (V.B.4).
    AcceptMdufa,
    /// Not accepted by email (V.B.2.a).
    NotAccepted,
    /// An initial emergency-use request, redirected (V.B.3 NOTE).
    RedirectEmergency,
    /// Cannot be read or inadequate (VII.A.1).
    Unreadable,
    /// A MDUFA email with many or large attachments, to come on electronic media (V.B.4).
    RequestElectronicMedia,
    /// Not a regulatory email (IV.G).
    NotRegulatory,
    /// An internal email that captures a regulatory action or decision, filed in the
    /// administrative file (VI.C.7).
    AcceptInternalRecord,
}

impl Disposition {
    /// Returns the disposition's name as used in serialized output.
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Accept => "accept",
            Disposition::AcceptSpind => "accept-spind",
            Disposition::AcceptMdufa => "accept-mdufa",
            Disposition::NotAccepted => "not-accepted",
            Disposition::RedirectEmergency => "redirect-emergency",
            Disposition::Unreadable => "unreadable",
            Disposition::RequestElectronicMedia => "request-electronic-media",
            Disposition::NotRegulatory => "not-regulatory",
            Disposition::AcceptInternalRecord => "accept-internal-record",
        }
    }
}

impl fmt::Display for Disposition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A task that an answer creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskDefinition {
    /// The action, as shown to the user.
    pub title: String,
    /// The person responsible.
    pub role: Role,
    /// The SOPP section that calls for it.
    pub section: String,
    /// The deadline rule, or none where the SOPP sets no deadline.
    #[serde(default)]
    pub deadline: Option<DeadlineRule>,
    /// The SOPP's sentence calling for the task.
    pub quote: String,
    /// The decisions the reviewer chooses from when completing the task, or none where
    /// the task records no decision.
    #[serde(default)]
    pub resolutions: Vec<Resolution>,
    /// The kinds of the tasks of the same message that must be done before this one.
    #[serde(default)]
    pub after: Vec<String>,
    /// The effect of completing the task on the stored message, if any.
    #[serde(default)]
    pub effect: Option<TaskEffect>,
}

/// An effect of completing a task on the stored message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskEffect {
    /// The stored copy is marked for deletion: the sponsor has been contacted, so a task
    /// with [`TaskEffect::DeleteStoredCopy`] of the same message may now delete it.
    MarkForDeletion,
    /// The stored copy's content is deleted, and the message row stays as a tombstone.
    DeleteStoredCopy,
}

/// A decision recorded when a task is completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    /// The value the reviewer gives (`refer-to-dcc`).
    pub value: String,
    /// The meaning of the value, as shown to the reviewer.
    pub label: String,
}

impl TaskDefinition {
    /// Returns the resolution with value `value`.
    pub fn resolution(&self, value: &str) -> Option<&Resolution> {
        self.resolutions.iter().find(|r| r.value == value)
    }

    /// Returns the resolution values, comma-separated, for messages.
    pub fn resolution_values(&self) -> String {
        let values: Vec<&str> = self.resolutions.iter().map(|r| r.value.as_str()).collect();
        values.join(", ")
    }
}

/// One question of the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Unique id.
    pub id: String,
    /// The fact that answers the question; also the key of a reviewer's answer.
    pub fact: FactKey,
    /// The question, as shown to the reviewer.
    pub question: String,
    /// The SOPP section the question comes from.
    pub section: String,
    /// The SOPP's governing sentence.
    pub quote: String,
    /// The possible answers.
    pub answers: Vec<Answer>,
}

/// One answer to a question and what it leads to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// The answer's value, matched against the fact's value.
    pub value: String,
    /// The meaning of the answer, as shown to the reviewer.
    pub label: String,
    /// The next node, or none where the walk ends.
    #[serde(default)]
    pub next: Option<String>,
    /// The disposition this answer sets.
    #[serde(default)]
    pub disposition: Option<Disposition>,
    /// The section governing the disposition, where it differs from the node's.
    #[serde(default)]
    pub section: Option<String>,
    /// The id of the contact the request is redirected to.
    #[serde(default)]
    pub redirect: Option<String>,
    /// The kinds of the tasks this answer creates.
    #[serde(default)]
    pub tasks: Vec<String>,
}

impl Tree {
    /// Parses a tree from TOML text and checks that it is complete and loop-free.
    ///
    /// # Errors
    ///
    /// Returns [`TreeError`] naming the first problem: invalid TOML, a missing start
    /// node, task or contact, a duplicate id, an inferable value with no answer, a path
    /// without a disposition, a loop or an unreachable node.
    pub fn parse(text: &str) -> Result<Tree, TreeError> {
        let tree: Tree = toml::from_str(text).map_err(|source| TreeError::Parse { source })?;
        tree.validate()?;
        Ok(tree)
    }

    /// Returns the embedded tree of SOPP 8119 version 11.
    pub fn sopp_8119_v11() -> &'static Tree {
        static TREE: LazyLock<Tree> = LazyLock::new(|| {
            Tree::parse(SOPP_8119_V11).expect("the embedded tree is checked by the unit tests")
        });
        &TREE
    }

    /// Returns the node with id `id`.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|node| node.id == id)
    }

    /// Returns the node that asks `fact`.
    pub fn node_for_fact(&self, fact: FactKey) -> Option<&Node> {
        self.nodes.iter().find(|node| node.fact == fact)
    }

    fn validate(&self) -> Result<(), TreeError> {
        let mut ids = BTreeSet::new();
        for node in &self.nodes {
            if !ids.insert(node.id.as_str()) {
                return Err(TreeError::DuplicateNode {
                    id: node.id.clone(),
                });
            }
        }
        for (kind, task) in &self.tasks {
            if let Some(after) = task.after.iter().find(|a| !self.tasks.contains_key(*a)) {
                return Err(TreeError::UnknownPrerequisite {
                    task: kind.clone(),
                    after: after.clone(),
                });
            }
            let mut values = BTreeSet::new();
            for resolution in &task.resolutions {
                if !values.insert(resolution.value.as_str()) {
                    return Err(TreeError::DuplicateResolution {
                        task: kind.clone(),
                        value: resolution.value.clone(),
                    });
                }
            }
        }
        if !ids.contains(self.sopp.start.as_str()) {
            return Err(TreeError::UnknownStart {
                start: self.sopp.start.clone(),
            });
        }

        for node in &self.nodes {
            self.validate_node(node, &ids)?;
        }

        let mut reached = BTreeSet::new();
        self.walk(&self.sopp.start, false, &mut Vec::new(), &mut reached)?;
        if let Some(node) = self.nodes.iter().find(|n| !reached.contains(n.id.as_str())) {
            return Err(TreeError::Unreachable {
                node: node.id.clone(),
            });
        }
        Ok(())
    }

    fn validate_node(&self, node: &Node, ids: &BTreeSet<&str>) -> Result<(), TreeError> {
        let mut values = BTreeSet::new();
        for answer in &node.answers {
            if !values.insert(answer.value.as_str()) {
                return Err(TreeError::DuplicateAnswer {
                    node: node.id.clone(),
                    value: answer.value.clone(),
                });
            }
            if let Some(next) = &answer.next {
                if !ids.contains(next.as_str()) {
                    return Err(TreeError::UnknownNext {
                        node: node.id.clone(),
                        value: answer.value.clone(),
                        next: next.clone(),
                    });
                }
            }
            if let Some(task) = answer.tasks.iter().find(|t| !self.tasks.contains_key(*t)) {
                return Err(TreeError::UnknownTask {
                    node: node.id.clone(),
                    value: answer.value.clone(),
                    task: task.clone(),
                });
            }
            if let Some(contact) = &answer.redirect {
                if !self.contacts.contains_key(contact) {
                    return Err(TreeError::UnknownContact {
                        node: node.id.clone(),
                        value: answer.value.clone(),
                        contact: contact.clone(),
                    });
                }
            }
        }

        for value in node.fact.values() {
            if !values.contains(value) {
                return Err(TreeError::MissingAnswer {
                    node: node.id.clone(),
                    fact: node.fact,
                    value: (*value).to_owned(),
                });
            }
        }
        Ok(())
    }

    /// Follows every path from `id`, checking that each ends with a disposition and that
    /// none loops. `path` contains the nodes on the current path.
    fn walk<'a>(
        &'a self,
        id: &'a str,
        has_disposition: bool,
        path: &mut Vec<&'a str>,
        reached: &mut BTreeSet<&'a str>,
    ) -> Result<(), TreeError> {
        if path.contains(&id) {
            return Err(TreeError::Cycle {
                node: id.to_owned(),
            });
        }
        reached.insert(id);
        let node = self
            .node(id)
            .expect("next ids were checked against the node ids");
        path.push(id);
        for answer in &node.answers {
            let has_disposition = has_disposition || answer.disposition.is_some();
            match &answer.next {
                Some(next) => self.walk(next, has_disposition, path, reached)?,
                None if !has_disposition => {
                    return Err(TreeError::NoDisposition {
                        node: node.id.clone(),
                        value: answer.value.clone(),
                    })
                }
                None => {}
            }
        }
        path.pop();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_tree_is_valid() {
        let tree = Tree::parse(SOPP_8119_V11).expect("embedded tree parses");
        assert_eq!(tree.sopp.number, "8119");
        assert_eq!(tree.sopp.version, "11");
        assert_eq!(tree.sopp.effective, jiff::civil::date(2024, 4, 9));
    }

    fn broken(from: &str, to: &str) -> TreeError {
        assert!(SOPP_8119_V11.contains(from), "fixture text {from:?} exists");
        let text = SOPP_8119_V11.replacen(from, to, 1);
        Tree::parse(&text).expect_err("the broken tree is rejected")
    }

    #[test]
    fn unknown_next_is_rejected() {
        let err = broken("next = \"readable\"", "next = \"readabel\"");
        assert!(
            matches!(err, TreeError::UnknownNext { ref next, .. } if next == "readabel"),
            "{err}"
        );
    }

    #[test]
    fn unknown_task_is_rejected() {
        let err = broken(
            "tasks = [\"redirect-emergency\"]",
            "tasks = [\"call-someone\"]",
        );
        assert!(
            matches!(err, TreeError::UnknownTask { ref task, .. } if task == "call-someone"),
            "{err}"
        );
    }

    #[test]
    fn missing_inferable_answer_is_rejected() {
        let err = broken("value = \"after-hours\"", "value = \"late\"");
        assert!(
            matches!(err, TreeError::MissingAnswer { ref value, .. } if value == "after-hours"),
            "{err}"
        );
    }

    #[test]
    fn path_without_disposition_is_rejected() {
        let err = broken("disposition = \"not-regulatory\"\n", "");
        assert!(
            matches!(err, TreeError::NoDisposition { ref node, .. } if node == "regulatory"),
            "{err}"
        );
    }

    #[test]
    fn loop_is_rejected() {
        let err = broken("next = \"kind\"", "next = \"regulatory\"");
        assert!(
            matches!(err, TreeError::Cycle { .. } | TreeError::Unreachable { .. }),
            "{err}"
        );
    }

    #[test]
    fn unreadable_resolutions_follow_vii_a_1() {
        let tree = Tree::sopp_8119_v11();
        let task = &tree.tasks["record-unreadable-resolution"];
        assert_eq!(
            task.resolution_values(),
            "resend, reject, refer-to-dcc, other-format"
        );
        for (kind, task) in &tree.tasks {
            if kind != "record-unreadable-resolution" {
                assert!(task.resolutions.is_empty(), "{kind} records no decision");
            }
        }
    }

    #[test]
    fn deletion_follows_acknowledgement() {
        let tree = Tree::sopp_8119_v11();
        let acknowledge = &tree.tasks["acknowledge-and-redirect"];
        let delete = &tree.tasks["delete-after-contact"];
        assert_eq!(acknowledge.effect, Some(TaskEffect::MarkForDeletion));
        assert_eq!(delete.effect, Some(TaskEffect::DeleteStoredCopy));
        assert_eq!(delete.after, ["acknowledge-and-redirect"]);
        assert_eq!(delete.section, "V.B.2.a.iii");
    }

    #[test]
    fn unknown_prerequisite_is_rejected() {
        let err = broken(
            "after = [\"acknowledge-and-redirect\"]",
            "after = [\"acknowledge\"]",
        );
        assert!(
            matches!(err, TreeError::UnknownPrerequisite { ref after, .. } if after == "acknowledge"),
            "{err}"
        );
    }

    #[test]
    fn duplicate_resolution_is_rejected() {
        let err = broken("{ value = \"reject\",", "{ value = \"resend\",");
        assert!(
            matches!(err, TreeError::DuplicateResolution { ref value, .. } if value == "resend"),
            "{err}"
        );
    }

    #[test]
    fn unknown_field_is_rejected() {
        let err = broken("section = \"IV.G\"", "sectoin = \"IV.G\"");
        assert!(matches!(err, TreeError::Parse { .. }), "{err}");
        let source = std::error::Error::source(&err).expect("parse error has a source");
        assert!(source.to_string().contains("sectoin"), "{source}");
    }
}
