//! X's weighted length against twitter-text's own conformance cases
//! (`tests/data/twitter_text_weighted_length.jsonl`, copied from
//! twitter-text's `conformance/validate.yml`; see its header).
#![allow(missing_docs)]

use creatorsync_core::text::x_weighted_length;

/// Cases whose expectation belongs to a config other than X's current
/// one (v3), with the reason. Every other case must match.
const OUT_OF_SCOPE: &[(&str, &str, &str)] = &[
    (
        "WeightedTweetsCounterTest",
        "Count a mix of single byte single word, and double word unicode characters",
        "v2 config: counts each code point of an emoji ZWJ sequence; v3 (X today) counts the sequence as 2",
    ),
    (
        "WeightedTweetsCounterTest",
        "Count unicode emoji chars outside the basic multilingual plane with skin tone modifiers",
        "v2 config: counts the skin-tone modifier and the ZWJ parts separately; v3 counts each sequence as 2",
    ),
];

#[derive(serde::Deserialize)]
struct Case {
    section: String,
    description: String,
    #[serde(rename = "weightedLength")]
    weighted_length: usize,
    text: String,
}

#[test]
fn every_weighted_length_case_agrees() {
    let data = include_str!("data/twitter_text_weighted_length.jsonl");
    let cases: Vec<Case> = data
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| serde_json::from_str(l).expect("case line is JSON"))
        .collect();
    assert_eq!(cases.len(), 44, "the data file lost or gained cases");
    let mut failures = Vec::new();
    let mut skipped = 0;
    for case in &cases {
        let got = x_weighted_length(&case.text);
        let skip = OUT_OF_SCOPE
            .iter()
            .any(|(s, d, _)| *s == case.section && *d == case.description);
        if skip {
            skipped += 1;
            // Still checked: the v3 count must differ, or the case is in scope after all.
            assert_ne!(
                got, case.weighted_length,
                "out-of-scope case now agrees, move it back in scope: {}",
                case.description
            );
            continue;
        }
        if got != case.weighted_length {
            failures.push(format!(
                "{} / {}: got {got}, want {}",
                case.section, case.description, case.weighted_length
            ));
        }
    }
    assert_eq!(
        skipped,
        OUT_OF_SCOPE.len(),
        "an out-of-scope entry matches no case"
    );
    assert!(
        failures.is_empty(),
        "{} cases disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
