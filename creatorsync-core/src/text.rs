//! Text length as the platforms count it.
//!
//! X counts a post with twitter-text's v3 rules. We keep our own counter
//! rather than depend on the `twitter-text` crate (0.3.1, a Rust port of
//! twitter-text), evaluated on 2026-12 against this module's needs: it
//! builds here and passes the `validate.yml` weighted-length cases, but
//! its URL scan is quadratic in the input (`"a.co,"` repeated to 1 MB:
//! 77 s in release; `"a."` repeated to 100 KB: 8 s), it disagrees with
//! twitter-text's reference on such runs (finds no URL in `a.co,a.co,`),
//! and it pulls in about 70 crates, among them a C++ bridge pinned to an
//! exact version. This counter follows twitter-text's own JavaScript
//! implementation (its URL regular expression, the IDNA label check and
//! the 4,096-unit URL limit) with a scan that is linear in the input and
//! never recurses.
//!
//! How the scan stays linear: the regular expression is tried at each
//! position after a character that may precede a URL, and each try of
//! `subdomain* domain-name TLD` looks ahead over the dotted labels. One
//! right-to-left pass answers, for every position, where the longest
//! domain starting there ends ([`domain_ends`]), so a try costs O(1); a
//! try that matches consumes the text it matched, as the expression does.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

mod tlds;

/// Weight of one URL in X's count (twitter-text v3 `transformedURLLength`).
pub const X_URL_LENGTH: usize = 23;

/// twitter-text's longest URL (UTF-16 units, protocol and IDNA-encoded
/// host included); a longer match is not a URL.
const MAX_URL_LENGTH: usize = 4096;
/// A DNS label's longest form after IDNA encoding.
const MAX_LABEL_LENGTH: usize = 63;
/// The longest t.co slug twitter-text accepts.
const MAX_TCO_SLUG_LENGTH: usize = 40;
/// Marks "no domain starts here" in [`domain_ends`].
const NONE: usize = usize::MAX;

/// X's weighted length of `text` (twitter-text v3): NFC first; characters
/// in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F, U+2032–U+2037 count 1,
/// others 2; an emoji sequence (ZWJ sequence, variation selector, skin
/// tone, flag pair, keycap) counts 2; each URL counts 23.
///
/// Time and memory are linear in the length of `text`.
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
    let text: Cow<'_, str> = match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => text.into(),
        _ => text.nfc().collect::<String>().into(),
    };
    // Every URL form twitter-text knows has a dot in its host.
    if !text.contains('.') {
        return chars_weight(text.chars());
    }
    let cs: Vec<char> = text.chars().collect();
    let mut total = 0;
    let mut at = 0;
    for (start, end) in urls(&cs) {
        total += chars_weight(cs[at..start].iter().copied()) + X_URL_LENGTH;
        at = end;
    }
    total + chars_weight(cs[at..].iter().copied())
}

/// Number of UTF-16 code units (TikTok's "runes").
pub fn utf16_length(text: &str) -> usize {
    text.encode_utf16().count()
}

// ---- Character classes (twitter-text `js/src/regexp/*.js`) ----

fn is_space(c: char) -> bool {
    matches!(c as u32, 0x09..=0x0D | 0x20 | 0x85 | 0xA0 | 0x1680 | 0x180E | 0x2000..=0x200A | 0x2028 | 0x2029 | 0x202F | 0x205F | 0x3000)
}

fn is_invalid(c: char) -> bool {
    matches!(c, '\u{FFFE}' | '\u{FEFF}' | '\u{FFFF}')
}

fn is_directional(c: char) -> bool {
    matches!(c as u32, 0x202A..=0x202E | 0x061C | 0x200E | 0x200F | 0x2066..=0x2069)
}

/// twitter-text's `punct` (ASCII punctuation except `"` and `` ` ``).
fn is_punct(c: char) -> bool {
    matches!(
        c,
        '!' | '\''
            | '#'
            | '%'
            | '&'
            | '('
            | ')'
            | '*'
            | '+'
            | ','
            | '\\'
            | '-'
            | '.'
            | '/'
            | ':'
            | ';'
            | '<'
            | '='
            | '>'
            | '?'
            | '@'
            | '['
            | ']'
            | '^'
            | '_'
            | '{'
            | '|'
            | '}'
            | '~'
            | '$'
    )
}

/// `validDomainChars`: anything but punctuation, spaces, invalid
/// characters and directional marks (so letters of every script).
fn is_domain_char(c: char) -> bool {
    !(is_punct(c) || is_space(c) || is_invalid(c) || is_directional(c))
}

/// `validUrlPrecedingChars`: what may stand right before a URL.
fn may_precede_url(c: char) -> bool {
    !(c.is_ascii_alphanumeric() || matches!(c, '@' | '＠' | '$' | '#' | '＃') || is_invalid(c))
}

fn is_latin_accent(c: char) -> bool {
    matches!(c as u32, 0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0xFF | 0x100..=0x24F | 0x253 | 0x254 | 0x256 | 0x257 | 0x259 | 0x25B | 0x263 | 0x268 | 0x26F | 0x272 | 0x289 | 0x28B | 0x2BB | 0x300..=0x36F | 0x1E00..=0x1EFF)
}

fn is_path_letter(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c as u32, 0x400..=0x4FF) || is_latin_accent(c)
}

/// `validGeneralUrlPathChars`.
fn is_path_char(c: char) -> bool {
    is_path_letter(c)
        || matches!(
            c,
            '!' | '*'
                | '\''
                | ';'
                | ':'
                | '='
                | '+'
                | ','
                | '.'
                | '$'
                | '/'
                | '%'
                | '#'
                | '['
                | ']'
                | '-'
                | '\u{2013}'
                | '_'
                | '~'
                | '@'
                | '|'
                | '&'
        )
}

/// `validUrlPathEndingChars` (besides balanced parentheses).
fn is_path_end_char(c: char) -> bool {
    is_path_letter(c) || matches!(c, '+' | '-' | '=' | '_' | '#' | '/')
}

/// `validUrlQueryChars`.
fn is_query_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!?*'@();:&=+$/%#[]-_.,~|".contains(c)
}

/// `validUrlQueryEndingChars`.
fn is_query_end_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '&' | '=' | '#' | '/')
}

/// Characters of a label in `validAsciiDomain`.
fn is_ascii_label_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || is_latin_accent(c)
}

// ---- URL scan ----

/// Which of twitter-text's two domain expressions [`domain_ends`] runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Domain {
    /// `validDomain`: labels of domain characters, `-` and `_` inside a
    /// label, no `_` in the label before the TLD.
    Any,
    /// `validAsciiDomain`: labels of `[-a-z0-9]` and Latin accents.
    Ascii,
}

/// For every position `i` of `cs`, where the longest match of the domain
/// expression starting at `i` ends (`NONE`: no match), in one
/// right-to-left pass.
///
/// A domain is `label. label. … label. TLD`. The expression's greedy
/// `subdomain*` followed by backtracking picks the last label after which
/// a TLD follows, among the leading labels that are all valid; so the
/// answer at `i` is the answer at the next label if there is one, and
/// otherwise whether a TLD follows `i`'s own label.
fn domain_ends(cs: &[char], kind: Domain) -> Vec<usize> {
    let n = cs.len();
    let mut best = vec![NONE; n + 1];
    // End of the run of label characters that contains position i + 1.
    let mut run_end = n;
    // Whether that run has an underscore between i + 1 and `run_end`.
    let mut has_underscore = false;
    let mut tld_memo = (NONE, None);
    for i in (0..n).rev() {
        let c = cs[i];
        let label_char = match kind {
            Domain::Any => is_domain_char(c) || c == '-' || c == '_',
            Domain::Ascii => is_ascii_label_char(c),
        };
        if !label_char {
            run_end = i;
            has_underscore = false;
            continue;
        }
        has_underscore |= c == '_';
        let end = run_end;
        if end >= n || cs[end] != '.' {
            continue;
        }
        if kind == Domain::Any && !(is_domain_char(c) && is_domain_char(cs[end - 1])) {
            continue;
        }
        let next = end + 1;
        if best[next] != NONE {
            best[i] = best[next];
            continue;
        }
        if kind == Domain::Any && has_underscore {
            continue;
        }
        let tld = if tld_memo.0 == next {
            tld_memo.1
        } else {
            let t = tld_end(cs, next);
            tld_memo = (next, t);
            t
        };
        if let Some(t) = tld {
            best[i] = t;
        }
    }
    best
}

/// Where a TLD starting at `at` ends: a listed TLD not followed by
/// `[a-z0-9@+-]`, or `xn--` punycode.
fn tld_end(cs: &[char], at: usize) -> Option<usize> {
    let first = *cs.get(at)?;
    let followed_ok = |end: usize| {
        cs.get(end)
            .is_none_or(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '@' | '+' | '-')))
    };
    let from = tlds::UNICODE.partition_point(|t| t.chars().next() < Some(first));
    for tld in tlds::UNICODE[from..]
        .iter()
        .take_while(|t| t.starts_with(first))
    {
        let mut end = at;
        if tld.chars().all(|t| {
            let same = cs.get(end) == Some(&t);
            end += 1;
            same
        }) && followed_ok(end)
        {
            return Some(end);
        }
    }
    let mut end = at;
    while end < cs.len() && (cs[end].is_ascii_alphanumeric() || cs[end] == '-') {
        end += 1;
    }
    let run = &cs[at..end];
    let mut lower = [0u8; tlds::ASCII_MAX_LEN];
    if !run.is_empty() && run.len() <= lower.len() && followed_ok(end) {
        for (l, c) in lower.iter_mut().zip(run) {
            // `run` is ASCII: alphanumerics and '-'.
            *l = c.to_ascii_lowercase() as u8;
        }
        let lower = &lower[..run.len()];
        if tlds::ASCII
            .binary_search_by(|t| t.as_bytes().cmp(lower))
            .is_ok()
        {
            return Some(end);
        }
    }
    let punycode = run.len() > 4
        && run[..4]
            .iter()
            .map(char::to_ascii_lowercase)
            .eq("xn--".chars());
    punycode.then_some(end)
}

fn starts_with_ignore_case(cs: &[char], at: usize, s: &str) -> bool {
    let mut i = at;
    s.chars().all(|c| {
        let same = cs.get(i).is_some_and(|x| x.eq_ignore_ascii_case(&c));
        i += 1;
        same
    })
}

/// One match of twitter-text's `extractUrl` expression.
struct UrlMatch {
    /// Length of `http://` / `https://` (0: none).
    protocol: usize,
    domain: (usize, usize),
    has_path: bool,
    end: usize,
}

/// The URLs twitter-text finds in `cs` (`extractUrlsWithIndices`), as
/// half-open character ranges in order.
fn urls(cs: &[char]) -> Vec<(usize, usize)> {
    let n = cs.len();
    let domains = domain_ends(cs, Domain::Any);
    let mut found = Vec::new();
    let mut at = 0;
    while at < n {
        // The expression's preceding-character group: a character that
        // may precede a URL, or (at 0 only) the start.
        // twitter-text runs on UTF-16: a character beyond U+FFFF is two
        // units; the first may precede a URL whose domain starts with the
        // second (tried as a URL from the character itself), and the
        // second is then tried as a preceding character of its own.
        let c = cs[at];
        let precedes = may_precede_url(c);
        let astral = c > '\u{FFFF}';
        let tries = [
            precedes.then_some((if astral { at } else { at + 1 }, Some(c))),
            (at == 0).then_some((0, None)),
            (precedes && astral).then_some((at + 1, Some(c))),
        ];
        let hit = tries
            .into_iter()
            .flatten()
            .find_map(|(start, before)| match_url(cs, &domains, start).map(|m| (start, before, m)));
        let Some((start, before, m)) = hit else {
            at += 1;
            continue;
        };
        at = m.end;
        accept(cs, start, before, &m, &mut found);
    }
    found
}

/// The regular expression's match at `start`, before the checks that
/// may still reject it.
fn match_url(cs: &[char], domains: &[usize], start: usize) -> Option<UrlMatch> {
    let protocol = if starts_with_ignore_case(cs, start, "https://") {
        8
    } else if starts_with_ignore_case(cs, start, "http://") {
        7
    } else {
        0
    };
    let host = start + protocol;
    let host_end = *domains.get(host).filter(|&&e| e != NONE)?;
    let mut end = host_end;
    // Port.
    if cs.get(end) == Some(&':') && cs.get(end + 1).is_some_and(char::is_ascii_digit) {
        end += 1;
        while cs.get(end).is_some_and(char::is_ascii_digit) {
            end += 1;
        }
    }
    let has_path = cs.get(end) == Some(&'/');
    if has_path {
        end = path_end(cs, end + 1);
    }
    if cs.get(end) == Some(&'?') {
        end = query_end(cs, end + 1).unwrap_or(end);
    }
    Some(UrlMatch {
        protocol,
        domain: (host, host_end),
        has_path,
        end,
    })
}

/// End of `validUrlPath*` from `from`: the longest run of path
/// characters and balanced parentheses made of units that each end with
/// an ending character or are one parenthesis group.
fn path_end(cs: &[char], from: usize) -> usize {
    let mut i = from;
    let mut end = from;
    while let Some(&c) = cs.get(i) {
        if c == '(' {
            match balanced_parens(cs, i) {
                Some(after) => {
                    // A parenthesis group ends the path only as a unit
                    // of its own (twitter-text splices the ending-char
                    // alternation into `validUrlPath` ungrouped).
                    if i == end {
                        end = after;
                    }
                    i = after;
                }
                None => break,
            }
        } else if is_path_char(c) {
            i += 1;
            if is_path_end_char(c) {
                end = i;
            }
        } else {
            break;
        }
    }
    end
}

/// `validUrlBalancedParens` at `open` (a `(`): up to two levels.
fn balanced_parens(cs: &[char], open: usize) -> Option<usize> {
    let skip = |mut i: usize| {
        while cs.get(i).copied().is_some_and(is_path_char) {
            i += 1;
        }
        i
    };
    let inner = open + 1;
    let j = skip(inner);
    match cs.get(j) {
        Some(')') if j > inner => Some(j + 1),
        Some('(') => {
            let k = skip(j + 1);
            if k == j + 1 || cs.get(k) != Some(&')') {
                return None;
            }
            let m = skip(k + 1);
            (cs.get(m) == Some(&')')).then_some(m + 1)
        }
        _ => None,
    }
}

/// End of `validUrlQueryChars* validUrlQueryEndingChars` from `from`.
fn query_end(cs: &[char], from: usize) -> Option<usize> {
    let mut end = None;
    let mut i = from;
    while let Some(&c) = cs.get(i).filter(|&&c| is_query_char(c)) {
        i += 1;
        if is_query_end_char(c) {
            end = Some(i);
        }
    }
    end
}

/// The checks `extractUrlsWithIndices` runs on a match; pushes the URL
/// (or, without a protocol, the ASCII domains in it) if they pass.
fn accept(
    cs: &[char],
    start: usize,
    before: Option<char>,
    m: &UrlMatch,
    found: &mut Vec<(usize, usize)>,
) {
    let domain = &cs[m.domain.0..m.domain.1];
    let url_units: usize = cs[start..m.end].iter().map(|c| c.len_utf16()).sum();
    let protocol_units = if m.protocol == 0 { 8 } else { m.protocol };
    let Some(idna_units) = idna_length(domain) else {
        return;
    };
    let domain_units: usize = domain.iter().map(|c| c.len_utf16()).sum();
    if protocol_units + url_units + idna_units - domain_units > MAX_URL_LENGTH {
        return;
    }
    if m.protocol == 0 {
        if matches!(before, Some('-' | '_' | '.' | '/')) {
            return;
        }
        let ascii = domain_ends(domain, Domain::Ascii);
        let first = found.len();
        let mut i = 0;
        while i < domain.len() {
            if ascii[i] == NONE {
                i += 1;
            } else {
                found.push((m.domain.0 + i, m.domain.0 + ascii[i]));
                i = ascii[i];
            }
        }
        if m.has_path
            && found.len() > first
            && let Some(last) = found.last_mut()
        {
            last.1 = m.end;
        }
        return;
    }
    // A t.co link ends after its slug (and query).
    let host = m.domain.0;
    if starts_with_ignore_case(&cs[..m.end], host, "t.co/") {
        let slug = host + 5;
        let mut e = slug;
        while e < m.end && cs[e].is_ascii_alphanumeric() {
            e += 1;
        }
        if e > slug {
            if e - slug > MAX_TCO_SLUG_LENGTH {
                return;
            }
            if cs[..m.end].get(e) == Some(&'?') {
                e = query_end(&cs[..m.end], e + 1).unwrap_or(e);
            }
            found.push((start, e));
            return;
        }
    }
    found.push((start, m.end));
}

/// twitter-text's `idna.toAscii` length: the domain with every non-ASCII
/// label punycode-encoded, or `None` when a label's encoding is empty or
/// longer than 63 (or a `xn--` domain holds no ASCII domain).
fn idna_length(domain: &[char]) -> Option<usize> {
    if domain.starts_with(&['x', 'n', '-', '-'])
        && !domain_ends(domain, Domain::Ascii)
            .iter()
            .any(|&e| e != NONE)
    {
        return None;
    }
    let mut total = 0;
    for label in domain.split(|&c| c == '.') {
        let len = if label.iter().all(|&c| (c as u32) < 0x7F) {
            label.len()
        } else if label.len() > MAX_LABEL_LENGTH {
            // At least one output character per input character.
            return None;
        } else {
            4 + punycode_length(label)
        };
        if len == 0 || len > MAX_LABEL_LENGTH {
            return None;
        }
        total += len + 1;
    }
    Some(total.saturating_sub(1))
}

/// Length of the RFC 3492 punycode encoding of `input` (without `xn--`).
/// Quadratic in `input`, which the caller bounds to 63 characters.
fn punycode_length(input: &[char]) -> usize {
    const BASE: u64 = 36;
    const T_MIN: u64 = 1;
    const T_MAX: u64 = 26;
    let adapt = |delta: u64, points: u64, first: bool| {
        let mut delta = if first { delta / 700 } else { delta / 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((BASE - T_MIN) * T_MAX) / 2 {
            delta /= BASE - T_MIN;
            k += BASE;
        }
        k + (BASE - T_MIN + 1) * delta / (delta + 38)
    };
    let basic = input.iter().filter(|c| c.is_ascii()).count();
    let mut out = basic + usize::from(basic > 0);
    let (mut n, mut delta, mut bias) = (128u64, 0u64, 72u64);
    let mut handled = basic;
    while handled < input.len() {
        let Some(m) = input
            .iter()
            .map(|&c| u64::from(c))
            .filter(|&c| c >= n)
            .min()
        else {
            break;
        };
        delta += (m - n) * (handled as u64 + 1);
        n = m;
        for c in input.iter().map(|&c| u64::from(c)) {
            if c < n {
                delta += 1;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        T_MIN
                    } else if k >= bias + T_MAX {
                        T_MAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out += 1;
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out += 1;
                bias = adapt(delta, handled as u64 + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta += 1;
        n += 1;
    }
    out
}

// ---- Character weights ----

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

/// Weighted length of text without URLs, in one pass.
fn chars_weight(chars: impl Iterator<Item = char> + Clone) -> usize {
    let mut total = 0;
    let mut it = chars.peekable();
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
                // A joiner joins only when an emoji follows; a dangling
                // one counts on its own, as in twitter-text.
                let mut ahead = it.clone();
                ahead.next();
                if !ahead.peek().copied().is_some_and(is_emoji) {
                    break;
                }
                it.next();
                it.next();
            } else {
                break;
            }
        }
    }
    total
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
