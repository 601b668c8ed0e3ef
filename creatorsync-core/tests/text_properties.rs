//! Properties of X's weighted length over random and adversarial text up
//! to 1 MB: it never panics, never recurses (a 1 MB URL-like run used to
//! overflow the stack), agrees with simple references where one exists,
//! and keeps invariants that follow from twitter-text's rules.
#![allow(missing_docs)]

use creatorsync_core::text::{X_URL_LENGTH, x_weighted_length};
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

/// Fragments that stress the URL scan, emoji joining and normalization.
const UNITS: &[&str] = &[
    "a.co,",
    "http://",
    "https://a.",
    ".",
    "a.",
    "xn--",
    "t.co/",
    "(",
    ")",
    "/",
    "?",
    "=",
    "-",
    "_",
    ":8080",
    "@",
    "#",
    " ",
    "é",
    "e\u{301}",
    "日",
    "😀",
    "\u{200D}",
    "👍🏽",
    "🇺",
    "1\u{20E3}",
    "\u{5D0}",
    "\u{202E}",
    "\u{200F}",
    "\0",
    "\u{FFFD}",
    "\u{FEFF}",
    "\u{FFFF}",
    "پاکستان",
    "рф",
    "com",
    "www.",
];

/// A run of one random mix of [`UNITS`], repeated to about `size` bytes.
fn adversarial(max: usize) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(UNITS), 1..8),
        0..=max,
    )
        .prop_map(|(units, size)| {
            let unit = units.concat();
            unit.repeat(size / unit.len() + 1)
        })
}

/// Every URL holds a dot of its own and counts 23; everything else at
/// most 2 per character.
fn upper_bound(text: &str) -> usize {
    let nfc: String = text.nfc().collect();
    2 * nfc.chars().count() + X_URL_LENGTH * nfc.matches('.').count()
}

#[test]
fn deep_url_like_runs_return() {
    // The crash from the issue: recursion once per token, 200,000 deep.
    let text = "a.co,".repeat(200_000);
    assert_eq!(x_weighted_length(&text), 200_000 * (X_URL_LENGTH + 1));
    // Runs with no URL at all count their characters (100 KB each, to
    // keep the debug-build suite fast; the bench runs them at 1 MB).
    for unit in ["a.", "http://", "-a", "xn--.", "a_b.", "(a/", "..."] {
        let text = unit.repeat(100_000 / unit.len());
        assert_eq!(x_weighted_length(&text), text.len(), "{unit:?}");
    }
    // A path swallows what follows, up to twitter-text's 4,096-unit URL
    // limit; past it the whole match is no URL.
    let path = format!("https://a.co/{}", "b/".repeat(2_000));
    assert_eq!(x_weighted_length(&path), X_URL_LENGTH);
    let path = format!("https://a.co/{}", "b/".repeat(50_000));
    assert_eq!(x_weighted_length(&path), path.len());
    let host = format!("{}.com", "a".repeat(100_000));
    assert_eq!(
        x_weighted_length(&host),
        host.len(),
        "a 63+ label is no URL"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn adversarial_runs_never_panic_and_stay_bounded(text in adversarial(1_000_000)) {
        prop_assert!(x_weighted_length(&text) <= upper_bound(&text));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_stays_bounded(text in any::<String>()) {
        prop_assert!(x_weighted_length(&text) <= upper_bound(&text));
    }

    #[test]
    fn ascii_without_dots_is_its_char_count(text in "[ -\\-/-~]{0,2000}") {
        // No dot, no URL; every printable ASCII character weighs 1.
        prop_assert_eq!(x_weighted_length(&text), text.len());
    }

    #[test]
    fn weight_is_per_character_without_urls_or_emoji(text in "[^.\u{1F000}-\u{1FAFF}\u{2300}-\u{27BF}\u{2B00}-\u{2BFF}\u{FE0E}\u{FE0F}\u{20E3}]{0,300}") {
        // Reference: NFC, then 1 for the v3 light ranges, 2 otherwise.
        let light = |c: char| matches!(c as u32, 0..=0x10FF | 0x2000..=0x200D | 0x2010..=0x201F | 0x2032..=0x2037);
        let expected: usize = text.nfc().map(|c| if light(c) { 1 } else { 2 }).sum();
        prop_assume!(!text.nfc().any(|c| matches!(c as u32, 0x3030 | 0x303D | 0x3297 | 0x3299 | 0x1F000..=0x1FAFF | 0x2300..=0x27BF | 0x2B00..=0x2BFF | 0xFE0E | 0xFE0F | 0x20E3)));
        prop_assert_eq!(x_weighted_length(&text), expected);
    }

    #[test]
    fn a_space_splits_the_count(
        a in prop_oneof![adversarial(2_000), any::<String>()],
        b in prop_oneof![adversarial(2_000), any::<String>()],
        first in "[a-zA-Z0-9]",
    ) {
        // Nothing twitter-text counts (a URL, an emoji sequence, a
        // normalization) spans a space, so the space adds exactly 1 when
        // the right side starts where a URL may start either way.
        let b = format!("{first}{b}");
        let joined = format!("{a} {b}");
        prop_assert_eq!(
            x_weighted_length(&joined),
            x_weighted_length(&a) + 1 + x_weighted_length(&b)
        );
    }

    #[test]
    fn any_url_counts_23(host in "[a-z]{1,30}", path in "[a-zA-Z0-9/_-]{0,500}", tls in any::<bool>()) {
        let url = format!("{}://{host}.com/{path}", if tls { "https" } else { "http" });
        prop_assert_eq!(x_weighted_length(&url), X_URL_LENGTH);
    }
}
