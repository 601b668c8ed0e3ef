//! Text length as the platforms count it.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Weight of one URL in X's count (twitter-text v3 `transformedURLLength`).
pub const X_URL_LENGTH: usize = 23;

const TLDS: &[&str] = &[
    "com", "org", "net", "io", "co", "dev", "app", "me", "ai", "edu", "gov", "info", "biz", "tv",
    "ly", "gg", "xyz", "uk", "de", "fr", "jp", "us", "ca", "in", "au", "eu", "ru", "br", "es",
    "it",
];

/// X's weighted length of `text` (twitter-text v3): NFC first; characters
/// in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F, U+2032–U+2037 count 1,
/// others 2; an emoji sequence (ZWJ sequence, variation selector, skin
/// tone, flag pair, keycap) counts 2; each URL counts 23.
///
/// ```
/// use creatorsync_core::text::x_weighted_length;
/// assert_eq!(x_weighted_length("hello"), 5);
/// assert_eq!(x_weighted_length("日本"), 4);
/// assert_eq!(x_weighted_length("👨‍👩‍👧"), 2);
/// assert_eq!(x_weighted_length("see https://example.com/a/very/long/path"), 4 + 23);
/// ```
pub fn x_weighted_length(text: &str) -> usize {
    // X counts NFC-normalized text; most text already is, and the quick
    // check answers that without normalizing (or allocating) at all.
    let text: std::borrow::Cow<'_, str> = match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => text.into(),
        _ => text.nfc().collect::<String>().into(),
    };
    let mut total = 0;
    let mut first = true;
    for word in text.split(' ') {
        if !first {
            total += 1;
        }
        first = false;
        total += word_length(word);
    }
    total
}

fn word_length(word: &str) -> usize {
    if let Some((start, end)) = find_url(word) {
        return chars_weight(&word[..start]) + X_URL_LENGTH + word_length(&word[end..]);
    }
    chars_weight(word)
}

/// Byte range of the first URL in a space-free word.
fn find_url(word: &str) -> Option<(usize, usize)> {
    let lower = word.to_ascii_lowercase();
    let (start, rest_start) = if let Some(i) = lower.find("https://") {
        (i, i + 8)
    } else if let Some(i) = lower.find("http://") {
        (i, i + 7)
    } else {
        // Bare domain: ASCII label chars from a boundary, containing
        // ".tld" followed by end, '/', or punctuation.
        let b = word.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i].is_ascii_alphanumeric()
                && (i == 0 || !is_domain_byte(b[i - 1]) && b[i - 1] != b'@')
            {
                let mut j = i;
                while j < b.len() && is_domain_byte(b[j]) {
                    j += 1;
                }
                let host = &lower[i..j];
                let host = host.trim_end_matches(['.', '-']);
                if let Some((name, tld)) = host.rsplit_once('.')
                    && !name.is_empty()
                    && TLDS.contains(&tld)
                {
                    let end = url_end(word, i + host.len());
                    return Some((i, end));
                }
                i = j.max(i + 1);
            } else {
                i += 1;
            }
        }
        return None;
    };
    let b = word.as_bytes();
    let mut j = rest_start;
    while j < b.len() && is_domain_byte(b[j]) {
        j += 1;
    }
    if !lower[rest_start..j].trim_end_matches('.').contains('.') {
        return None;
    }
    Some((start, url_end(word, j)))
}

fn is_domain_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'.'
}

/// Extends a URL from the end of its host over a path, minus trailing
/// punctuation.
fn url_end(word: &str, host_end: usize) -> usize {
    let b = word.as_bytes();
    let mut end = host_end;
    if end < b.len() && (b[end] == b'/' || b[end] == b':' || b[end] == b'?') {
        end = b.len();
        while end > host_end
            && matches!(
                b[end - 1],
                b'.' | b',' | b'!' | b'?' | b';' | b':' | b')' | b'"' | b'\''
            )
        {
            end -= 1;
        }
        while !word.is_char_boundary(end) {
            end -= 1;
        }
    }
    end
}

fn weight_one(c: char) -> bool {
    matches!(c as u32, 0..=0x10FF | 0x2000..=0x200D | 0x2010..=0x201F | 0x2032..=0x2037)
}

fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2300..=0x23FF | 0x2B00..=0x2BFF | 0x3030 | 0x303D | 0x3297 | 0x3299)
}

fn is_modifier(c: char) -> bool {
    matches!(c as u32, 0xFE0E | 0xFE0F | 0x1F3FB..=0x1F3FF | 0x20E3 | 0xE0020..=0xE007F)
}

fn is_regional(c: char) -> bool {
    matches!(c as u32, 0x1F1E6..=0x1F1FF)
}

fn chars_weight(s: &str) -> usize {
    let mut total = 0;
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        let starts_seq = is_emoji(c)
            || it
                .peek()
                .is_some_and(|n| matches!(*n as u32, 0xFE0F | 0x20E3));
        if !starts_seq {
            total += if weight_one(c) { 1 } else { 2 };
            continue;
        }
        total += 2;
        if is_regional(c) && it.peek().copied().is_some_and(is_regional) {
            it.next();
        }
        while let Some(&n) = it.peek() {
            if is_modifier(n) {
                it.next();
            } else if n == '\u{200D}' {
                it.next();
                if it.peek().copied().is_some_and(is_emoji) {
                    it.next();
                }
            } else {
                break;
            }
        }
    }
    total
}

/// Number of UTF-16 code units (TikTok's "runes").
pub fn utf16_length(text: &str) -> usize {
    text.encode_utf16().count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert_eq!(x_weighted_length(""), 0);
        assert_eq!(x_weighted_length("Hello, world!"), 13);
        assert_eq!(x_weighted_length("こんにちは"), 10);
        assert_eq!(x_weighted_length("😀"), 2);
        assert_eq!(x_weighted_length("👍🏽"), 2);
        assert_eq!(x_weighted_length("🇺🇸🇫🇷"), 4);
        assert_eq!(x_weighted_length("❤️"), 2);
        assert_eq!(x_weighted_length("1️⃣"), 2);
        assert_eq!(x_weighted_length("e\u{301}"), 1, "NFC first");
        assert_eq!(
            x_weighted_length("“quoted”…"),
            10,
            "U+2026 is outside the weight-1 ranges"
        );
        assert_eq!(x_weighted_length("go to example.com now"), 6 + 23 + 4);
        assert_eq!(x_weighted_length("(https://t.co/abc)."), 1 + 23 + 2);
        assert_eq!(
            x_weighted_length("http://a.io/x https://b.dev"),
            23 + 1 + 23
        );
        assert_eq!(
            x_weighted_length("me@example.com"),
            14,
            "an e-mail address is not a URL"
        );
        assert_eq!(x_weighted_length("end."), 4);
        assert_eq!(x_weighted_length(&"a".repeat(280)), 280);
    }

    proptest! {
        #[test]
        fn never_panics(s in any::<String>()) {
            let _ = x_weighted_length(&s);
        }

        #[test]
        fn latin_at_least_char_count(s in "[a-zA-Z0-9 ,!?'-]{0,300}") {
            prop_assert!(x_weighted_length(&s) >= s.chars().count());
        }

        #[test]
        fn appending_never_decreases(s in "[^.:]{0,60}", c in any::<char>()) {
            let before = x_weighted_length(&s);
            let mut t = s.clone();
            t.push(c);
            prop_assert!(x_weighted_length(&t) >= before, "{s:?} + {c:?}");
        }

        #[test]
        fn any_url_counts_23(host in "[a-z]{1,30}", path in "[a-zA-Z0-9/_-]{0,500}", tls in any::<bool>()) {
            let url = format!("{}://{host}.com/{path}", if tls { "https" } else { "http" });
            prop_assert_eq!(x_weighted_length(&url), 23);
        }

        #[test]
        fn platform_parse_never_panics(s in any::<String>()) {
            let _ = s.parse::<crate::Platform>();
        }
    }
}
