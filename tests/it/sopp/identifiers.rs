//! Precision and recall of the identifier detector over the labelled set in
//! `tests/fixtures/sopp/identifiers.tsv`.

use std::collections::BTreeSet;

use regmail::sopp::identifiers::{detect, Location};

const LABELLED: &str = include_str!("../../fixtures/sopp/identifiers.tsv");

struct Case<'a> {
    line: usize,
    location: Location,
    text: &'a str,
    expected: BTreeSet<&'a str>,
}

fn cases() -> Vec<Case<'static>> {
    let mut cases = Vec::new();
    for (index, line) in LABELLED.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let columns: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            columns.len(),
            3,
            "line {} needs three tab-separated columns",
            index + 1
        );
        let location = match columns[0] {
            "subject" => Location::Subject,
            "body" => Location::Body,
            "attachment" => Location::Attachment {
                index: 0,
                name: columns[1].to_owned(),
            },
            other => panic!("line {}: unknown location {other:?}", index + 1),
        };
        let expected = match columns[2] {
            "-" => BTreeSet::new(),
            values => values.split(" | ").collect(),
        };
        cases.push(Case {
            line: index + 1,
            location,
            text: columns[1],
            expected,
        });
    }
    cases
}

#[test]
fn labelled_set_is_large_and_half_negative() {
    let cases = cases();
    let negatives = cases.iter().filter(|c| c.expected.is_empty()).count();
    assert!(cases.len() >= 150, "only {} labelled strings", cases.len());
    assert!(
        negatives * 2 >= cases.len(),
        "only {negatives} of {} strings are negative",
        cases.len()
    );
}

#[test]
fn detector_precision_and_recall() {
    let mut true_positives = 0usize;
    let mut false_positives = Vec::new();
    let mut false_negatives = Vec::new();
    let mut expected_total = 0usize;

    for case in cases() {
        let found: BTreeSet<String> = detect(case.text, &case.location)
            .into_iter()
            .map(|identifier| identifier.value)
            .collect();
        expected_total += case.expected.len();
        for value in &found {
            if case.expected.contains(value.as_str()) {
                true_positives += 1;
            } else {
                false_positives.push(format!("line {}: {:?} -> {value}", case.line, case.text));
            }
        }
        for value in &case.expected {
            if !found.contains(*value) {
                false_negatives.push(format!(
                    "line {}: {:?} missed {value}",
                    case.line, case.text
                ));
            }
        }
    }

    let predicted = true_positives + false_positives.len();
    let precision = true_positives as f64 / predicted.max(1) as f64;
    let recall = true_positives as f64 / expected_total.max(1) as f64;
    println!(
        "identifier precision {precision:.3}, recall {recall:.3}: {true_positives} of {expected_total} found, {} false",
        false_positives.len()
    );
    println!("missed: {false_negatives:#?}");

    assert!(
        precision >= 0.98,
        "precision {precision:.3} below 0.98; false positives: {false_positives:#?}"
    );
    assert!(
        recall >= 0.95,
        "recall {recall:.3} below 0.95; missed: {false_negatives:#?}"
    );
}
