//! The placeholder syntax: `{{name}}` (spaces inside allowed), names of
//! ASCII letters, digits and `_` not starting with a digit; `\{{` and
//! `\}}` write a literal `{{` and `}}`. A single `{` or `}` is plain
//! text; a `}}` outside a placeholder or a `{{` never closed is an error,
//! so a typo never publishes half a placeholder. One pass over the bytes, no recursion.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::{Error, Result};

/// What is wrong with a template's text.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TemplateProblem {
    /// A variable the text uses was not given.
    MissingVariable {
        /// The variable.
        name: String,
    },
    /// A placeholder's name is not a valid variable name.
    InvalidVariableName {
        /// The placeholder's content as written (truncated to 40 chars).
        name: String,
        /// Byte offset of its `{{`.
        at: usize,
    },
    /// A `{{` without its `}}`, or a `}}` without its `{{`.
    UnbalancedBraces {
        /// Byte offset of the lone `{{` or `}}`.
        at: usize,
    },
}

impl fmt::Display for TemplateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingVariable { name } => write!(f, "the variable {name:?} was not given"),
            Self::InvalidVariableName { name, at } => write!(
                f,
                "{{{{{name}}}}} at byte {at} is not a variable name (letters, digits and _, not starting with a digit)"
            ),
            Self::UnbalancedBraces { at } => write!(
                f,
                "unbalanced braces at byte {at}: every {{{{ needs a }}}} (write \\{{{{ and \\}}}} for literal braces)"
            ),
        }
    }
}

/// One piece of a parsed text.
enum Piece<'a> {
    Text(&'a str),
    Var(&'a str),
}

fn invalid(field: &str, problem: TemplateProblem) -> Error {
    Error::InvalidTemplate {
        field: field.to_owned(),
        problem,
    }
}

fn valid_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Splits `text` into literal pieces and variables; `field` names it in
/// errors (`text`, `texts.x`, `media[0].alt_text`).
fn parse<'a>(field: &str, text: &'a str) -> Result<Vec<Piece<'a>>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let (mut i, mut literal_from) = (0, 0);
    while i + 1 < bytes.len() {
        let pair = &bytes[i..i + 2];
        if bytes[i] == b'\\' && matches!(bytes.get(i + 1..i + 3), Some(b"{{" | b"}}")) {
            // An escaped `{{` or `}}`: the pair, literally.
            out.push(Piece::Text(&text[literal_from..i]));
            literal_from = i + 1;
            i += 3;
        } else if pair == b"{{" {
            let Some(len) = text[i + 2..].find("}}") else {
                return Err(invalid(field, TemplateProblem::UnbalancedBraces { at: i }));
            };
            let name = text[i + 2..i + 2 + len].trim();
            if !valid_name(name) {
                return Err(invalid(
                    field,
                    TemplateProblem::InvalidVariableName {
                        name: name.chars().take(40).collect(),
                        at: i,
                    },
                ));
            }
            out.push(Piece::Text(&text[literal_from..i]));
            out.push(Piece::Var(name));
            i += 2 + len + 2;
            literal_from = i;
        } else if pair == b"}}" {
            return Err(invalid(field, TemplateProblem::UnbalancedBraces { at: i }));
        } else {
            i += 1;
        }
    }
    out.push(Piece::Text(&text[literal_from..]));
    Ok(out)
}

/// The variables `text` uses, checking its syntax.
pub(super) fn variables(field: &str, text: &str, into: &mut BTreeSet<String>) -> Result<()> {
    for piece in parse(field, text)? {
        if let Piece::Var(v) = piece {
            into.insert(v.to_owned());
        }
    }
    Ok(())
}

/// `text` with every placeholder replaced by its value in `vars`.
pub(super) fn render(field: &str, text: &str, vars: &BTreeMap<String, String>) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    for piece in parse(field, text)? {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Var(name) => match vars.get(name) {
                Some(v) => out.push_str(v),
                None => {
                    return Err(invalid(
                        field,
                        TemplateProblem::MissingVariable {
                            name: name.to_owned(),
                        },
                    ));
                }
            },
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn problem(text: &str) -> TemplateProblem {
        match render("text", text, &vars(&[("a", "A")])).unwrap_err() {
            Error::InvalidTemplate { problem, field } => {
                assert_eq!(field, "text");
                problem
            }
            e => panic!("{e}"),
        }
    }

    #[test]
    fn placeholders_escapes_and_plain_braces() {
        let v = vars(&[("product", "Widget"), ("price_2", "9 €")]);
        let r = |t| render("text", t, &v).unwrap();
        assert_eq!(
            r("Buy {{product}} for {{ price_2 }}!"),
            "Buy Widget for 9 €!"
        );
        assert_eq!(
            r("literal \\{{product\\}} and {json: 1} \\ {x}"),
            "literal {{product}} and {json: 1} \\ {x}"
        );
        assert_eq!(r("{{product}}{{product}}"), "WidgetWidget");
        assert_eq!(r("no placeholders"), "no placeholders");
        // A value is inserted as is, never parsed again.
        let v = vars(&[("a", "{{b}}")]);
        assert_eq!(render("text", "{{a}}", &v).unwrap(), "{{b}}");
    }

    #[test]
    fn each_mistake_is_its_own_problem() {
        assert_eq!(
            problem("Hi {{b}}"),
            TemplateProblem::MissingVariable { name: "b".into() }
        );
        assert_eq!(
            problem("Hi {{1st}}"),
            TemplateProblem::InvalidVariableName {
                name: "1st".into(),
                at: 3
            }
        );
        assert_eq!(
            problem("{{a b}}"),
            TemplateProblem::InvalidVariableName {
                name: "a b".into(),
                at: 0
            }
        );
        assert_eq!(
            problem("{{}}"),
            TemplateProblem::InvalidVariableName {
                name: String::new(),
                at: 0
            }
        );
        assert_eq!(
            problem("Hi {{a"),
            TemplateProblem::UnbalancedBraces { at: 3 }
        );
        assert_eq!(
            problem("Hi a}} there"),
            TemplateProblem::UnbalancedBraces { at: 4 }
        );
        assert_eq!(
            problem("{{a}} then }}"),
            TemplateProblem::UnbalancedBraces { at: 11 }
        );
        let e = render("texts.x", "{{nope}}", &BTreeMap::new()).unwrap_err();
        assert!(
            e.to_string().contains("texts.x") && e.to_string().contains("nope"),
            "{e}"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Adversarial text (braces, backslashes, multi-byte characters):
        /// never a panic, and a success contains every literal piece.
        #[test]
        fn any_text_renders_or_fails_cleanly(text in r#"[{}\\a-c é😀 _1]{0,64}"#) {
            let v = vars(&[("a", "X"), ("b", ""), ("_1", "{{")]);
            match render("text", &text, &v) {
                Ok(out) => {
                    if !text.contains('{') && !text.contains('}') {
                        prop_assert_eq!(&out, &text);
                    }
                }
                Err(Error::InvalidTemplate { .. }) => {}
                Err(e) => prop_assert!(false, "unexpected error {e}"),
            }
            let mut names = BTreeSet::new();
            let _ = variables("text", &text, &mut names);
        }

        /// Text without braces or backslashes around placeholders renders
        /// to the values in order.
        #[test]
        fn placeholders_become_their_values(parts in proptest::collection::vec(("[a-z ]{0,8}", "[a-z]{1,4}"), 0..8)) {
            let mut text = String::new();
            let mut want = String::new();
            let mut v = BTreeMap::new();
            for (lit, name) in &parts {
                text.push_str(lit);
                text.push_str(&format!("{{{{{name}}}}}"));
                want.push_str(lit);
                want.push_str(&name.to_uppercase());
                v.insert(name.clone(), name.to_uppercase());
            }
            prop_assert_eq!(render("text", &text, &v).unwrap(), want);
        }
    }
}
