//! The one key normaliser of the bindings' contract: hosts write
//! `camelCase` (JavaScript) or `snake_case` (Python, the emulator's line);
//! the contract's serde types are `snake_case`. Input goes through
//! [`snake_keys`] once; the Node binding hands views back through
//! [`camel_keys`]. Values are never touched, only object keys, and the
//! keys of user-data maps ([`OPAQUE`]) are kept verbatim.

use serde_json::{Map, Value};

use crate::{Error, Result};

/// Keys whose values are user data or a platform's own answer (a post
/// metric's `raw`; a post's `mentions`, keyed as the text's `@{key}`):
/// their own keys are kept verbatim.
pub const OPAQUE: &[&str] = &["metadata", "legacy", "raw", "mentions"];

/// Deepest nesting accepted (the bindings' own conversion limit, also
/// serde_json's recursion limit): deeper input is an error, never a stack
/// overflow.
pub const MAX_DEPTH: usize = 128;

/// `fooBar` → `foo_bar` (already snake_case keys are unchanged).
pub fn to_snake(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `foo_bar` → `fooBar`.
pub fn to_camel(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut upper = false;
    for c in s.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn rename(v: Value, f: fn(&str) -> String, depth: usize) -> Result<Value> {
    let nested = matches!(v, Value::Object(_) | Value::Array(_));
    if nested && depth == 0 {
        return Err(Error::invalid_input(
            "value",
            format!("nested deeper than {MAX_DEPTH} levels"),
        ));
    }
    Ok(match v {
        Value::Object(m) => {
            let mut out = Map::with_capacity(m.len());
            for (k, v) in m {
                let v = if OPAQUE.contains(&k.as_str()) {
                    v
                } else {
                    rename(v, f, depth - 1)?
                };
                let k = f(&k);
                if out.contains_key(&k) {
                    return Err(Error::invalid_input(
                        k,
                        "given twice (as camelCase and snake_case)",
                    ));
                }
                out.insert(k, v);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(
            a.into_iter()
                .map(|x| rename(x, f, depth - 1))
                .collect::<Result<_>>()?,
        ),
        other => other,
    })
}

/// Object keys to snake_case, outside user-data maps. A key given in both
/// spellings (`stateSecret` and `state_secret`) is an
/// [`Error::InvalidInput`].
pub fn snake_keys(v: Value) -> Result<Value> {
    rename(v, to_snake, MAX_DEPTH)
}

/// Object keys to camelCase, outside user-data maps (views for
/// JavaScript).
pub fn camel_keys(v: Value) -> Value {
    // Views come from the core's own types, far below the depth limit.
    rename(v, to_camel, usize::MAX).unwrap_or(Value::Null)
}

/// JavaScript numbers arrive as doubles: integral ones become integers so
/// that integer fields deserialize (`3.0` → `3`). Depth is bounded by
/// [`snake_keys`], which every input passes first.
pub fn integral(v: Value) -> Value {
    match v {
        Value::Number(n) => match n.as_f64() {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Some(f) if n.is_f64() && f.fract() == 0.0 && (0.0..9.0e15).contains(&f) => {
                Value::from(f as u64)
            }
            _ => Value::Number(n),
        },
        Value::Array(a) => Value::Array(a.into_iter().map(integral).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, integral(v))).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_spellings_reach_one_shape_and_user_maps_are_kept() {
        let v = snake_keys(
            json!({"stateSecret": "s", "sqlite": {"keyId": "k"}, "metadata": {"myKey": 1}}),
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"state_secret": "s", "sqlite": {"key_id": "k"}, "metadata": {"myKey": 1}})
        );
        assert_eq!(snake_keys(v.clone()).unwrap(), v);
        assert_eq!(camel_keys(json!({"user_id": 1})), json!({"userId": 1}));
        let e = snake_keys(json!({"stateSecret": "a", "state_secret": "b"})).unwrap_err();
        assert!(
            matches!(e, Error::InvalidInput { ref field, .. } if field == "state_secret"),
            "{e:?}"
        );
    }

    #[test]
    fn deep_input_is_an_error_not_an_overflow() {
        let mut v = json!(1);
        for _ in 0..(MAX_DEPTH + 10) {
            v = json!([v]);
        }
        assert!(matches!(snake_keys(v), Err(Error::InvalidInput { .. })));
    }
}
