//! LinkedIn's "little text format" for post commentary.

/// Escapes `text` for LinkedIn's "little text format": the reserved
/// characters `| { } @ [ ] ( ) < > # \ * _ ~` get a backslash, except in
/// hashtags. A hashtag is `#` at the start or after a character that is
/// not a letter, digit or `_`, followed by one or more letters, digits or
/// `_`; it is kept as written (LinkedIn links `#word` written raw). So
/// `#rust_lang` stays, while `C#`, `# ` and `a_b` are escaped.
pub fn escape_commentary(text: &str) -> String {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_tag = c == '#'
            && (i == 0 || !word(chars[i - 1]))
            && chars.get(i + 1).is_some_and(|n| word(*n));
        if starts_tag {
            out.push('#');
            i += 1;
            while i < chars.len() && word(chars[i]) {
                out.push(chars[i]);
                i += 1;
            }
            continue;
        }
        if RESERVED.contains(c) {
            out.push('\\');
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The characters little text reserves.
pub(crate) const RESERVED: &str = "|{}@[]()<>#\\*_~";

/// Escapes every reserved character of `text`, hashtags included: for
/// text inside an element (a mention's name).
pub(super) fn escape_plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if RESERVED.contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_commentary;

    #[test]
    fn commentary_escapes_reserved_but_keeps_hashtags() {
        assert_eq!(
            escape_commentary("Hello (world) #rust_lang!"),
            "Hello \\(world\\) #rust_lang!"
        );
        assert_eq!(escape_commentary("C# and a_b @x"), "C\\# and a\\_b \\@x");
        assert_eq!(escape_commentary("#"), "\\#");
        assert_eq!(escape_commentary("#tag1 #tag2"), "#tag1 #tag2");
        assert_eq!(
            escape_commentary("a\\b*c~d|e{f}g[h]i<j>"),
            "a\\\\b\\*c\\~d\\|e\\{f\\}g\\[h\\]i\\<j\\>"
        );
    }
}
