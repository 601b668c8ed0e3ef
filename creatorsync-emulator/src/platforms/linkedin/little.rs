//! LinkedIn's "little text format" as the Posts API reads `commentary`:
//! `\x` is a literal `x`, `@[Name](urn:li:person:…)` /
//! `@[Name](urn:li:organization:…)` a mention, `#word` a hashtag (at the
//! start or after a character that is not a letter, digit or `_`); any
//! other reserved character (`| { } @ [ ] ( ) < > # \ * _ ~`) written raw
//! is refused, so a client that forgets to escape is caught here.

/// The characters little text reserves.
const RESERVED: &str = "|{}@[]()<>#\\*_~";

/// A parsed commentary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Little {
    /// The text as shown: escapes resolved, mentions as their names.
    pub plain: String,
    /// The mentions, in order.
    pub mentions: Vec<LittleMention>,
}

/// One `@[Name](urn)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LittleMention {
    /// The name shown.
    pub name: String,
    /// The member or organization URN.
    pub urn: String,
}

fn word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Reads `[name](urn)` from `chars[i..]` (just after `@`): the name, the
/// URN and the index after `)`.
fn mention(chars: &[char], mut i: usize) -> Result<(String, String, usize), String> {
    if chars.get(i) != Some(&'[') {
        return Err(format!("unescaped '@' at {}", i - 1));
    }
    i += 1;
    let mut name = String::new();
    loop {
        match chars.get(i) {
            None => return Err("unterminated mention name".into()),
            Some('\\') => {
                let c = chars.get(i + 1).ok_or("dangling '\\' in a mention")?;
                name.push(*c);
                i += 2;
            }
            Some(']') => break,
            Some(c) if RESERVED.contains(*c) => {
                return Err(format!("unescaped {c:?} in a mention name at {i}"));
            }
            Some(c) => {
                name.push(*c);
                i += 1;
            }
        }
    }
    i += 1;
    if chars.get(i) != Some(&'(') {
        return Err(format!("mention without (urn) at {i}"));
    }
    let start = i + 1;
    let end = (start..chars.len())
        .find(|j| chars[*j] == ')')
        .ok_or("unterminated mention urn")?;
    let urn: String = chars[start..end].iter().collect();
    let id = urn
        .strip_prefix("urn:li:person:")
        .or_else(|| urn.strip_prefix("urn:li:organization:"))
        .filter(|id| {
            !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        });
    if id.is_none() {
        return Err(format!("{urn:?} is not a person or organization URN"));
    }
    if name.trim().is_empty() {
        return Err("a mention needs a name".into());
    }
    Ok((name, urn, end + 1))
}

/// Parses `text`; `Err` names the first character LinkedIn would misread.
/// One pass, no recursion.
///
/// ```
/// use creatorsync_emulator::little::parse;
/// let l = parse("Hi @[Ada \\[L\\]](urn:li:person:1) \\(#rust\\)").unwrap();
/// assert_eq!(l.plain, "Hi Ada [L] (#rust)");
/// assert_eq!(l.mentions[0].urn, "urn:li:person:1");
/// assert!(parse("a_b").is_err());
/// ```
pub fn parse(text: &str) -> Result<Little, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Little::default();
    // The previous shown character (None at the start and after a mention).
    let mut prev: Option<char> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let e = *chars.get(i + 1).ok_or("dangling '\\' at the end")?;
                out.plain.push(e);
                prev = Some(e);
                i += 2;
            }
            '@' => {
                let (name, urn, next) = mention(&chars, i + 1)?;
                out.plain.push_str(&name);
                out.mentions.push(LittleMention { name, urn });
                prev = None;
                i = next;
            }
            '#' if prev.is_none_or(|p| !word(p)) && chars.get(i + 1).is_some_and(|n| word(*n)) => {
                out.plain.push('#');
                i += 1;
                while i < chars.len() && word(chars[i]) {
                    out.plain.push(chars[i]);
                    prev = Some(chars[i]);
                    i += 1;
                }
            }
            c if RESERVED.contains(c) => {
                return Err(format!("unescaped reserved character {c:?} at {i}"));
            }
            c => {
                out.plain.push(c);
                prev = Some(c);
                i += 1;
            }
        }
    }
    Ok(out)
}
