//! Plain JS values ⇄ core values, through `serde_json::Value`.
//!
//! JS sees camelCase keys (`userId`, `accountId`, `expiresAt`); the core's
//! serde shapes are snake_case. The renaming is done here, once, and never
//! touches user data maps (`metadata`). Token objects handed to host stores
//! carry the credential in clear: the store is where the host keeps it.
//! Everything else (errors, reports, status) is built from values that
//! hold no secret.

use creatorsync_core::{AccountKey, Credential, Error, Platform, Result, StoredToken};
use napi::ValueType;
use napi::bindgen_prelude::Unknown;
use serde_json::{Value, json};

/// Keys whose values are user data: their own keys are kept verbatim.
const OPAQUE: &[&str] = &["metadata"];

fn to_camel(s: &str) -> String {
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

fn to_snake(s: &str) -> String {
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

fn rename(v: Value, f: fn(&str) -> String) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let v = if OPAQUE.contains(&k.as_str()) {
                        v
                    } else {
                        rename(v, f)
                    };
                    (f(&k), v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(|x| rename(x, f)).collect()),
        other => other,
    }
}

/// snake_case keys → camelCase (outside user data maps).
pub(crate) fn camel(v: Value) -> Value {
    rename(v, to_camel)
}

/// camelCase keys → snake_case (outside user data maps).
pub(crate) fn snake(v: Value) -> Value {
    rename(v, to_snake)
}

/// JS numbers arrive as doubles; integral ones become integers so that
/// `u64` fields deserialize.
pub(crate) fn integral(v: Value) -> Value {
    match v {
        Value::Number(n) => match n.as_f64() {
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

/// Deserializes a JS value (camelCase) into a core type.
pub(crate) fn from_js<T: serde::de::DeserializeOwned>(what: &str, v: Value) -> Result<T> {
    serde_json::from_value(integral(snake(v)))
        .map_err(|e| Error::invalid_input(what, e.to_string()))
}

/// Serializes a core value into a JS value (camelCase).
pub(crate) fn to_js<T: serde::Serialize>(v: &T) -> Value {
    camel(serde_json::to_value(v).unwrap_or(Value::Null))
}

/// `{ userId, platform, accountId }`.
pub(crate) fn key_to_js(key: &AccountKey) -> Value {
    json!({
        "userId": key.user_id,
        "platform": key.platform.as_str(),
        "accountId": key.account_id,
    })
}

/// The token object given to host stores, secrets included.
pub(crate) fn token_to_js(token: &StoredToken) -> Value {
    let mut v = serde_json::to_value(token).unwrap_or(Value::Null);
    // The core's Serialize writes "[redacted]" for secrets; a store must
    // keep the real values.
    let credential = match &token.credential {
        Credential::OAuth1 { token, secret } => json!({
            "type": "oauth1",
            "token": token.expose(),
            "secret": secret.expose(),
        }),
        Credential::OAuth2 {
            access,
            refresh,
            expires_at,
            refresh_expires_at,
            scopes,
            user_token,
        } => json!({
            "type": "oauth2",
            "access": access.expose(),
            "refresh": refresh.as_ref().map(|r| r.expose()),
            "expires_at": expires_at,
            "refresh_expires_at": refresh_expires_at,
            "scopes": scopes,
        })
        .as_object()
        .cloned()
        .map(|mut o| {
            // Only when set, like the core's own encoding (old rows and
            // host stores that never saw it compare equal).
            if let Some(t) = user_token {
                o.insert("user_token".into(), t.expose().clone().into());
            }
            Value::Object(o)
        })
        .unwrap_or_default(),
    };
    if let Some(o) = v.as_object_mut() {
        o.insert("credential".into(), credential);
    }
    camel(v)
}

/// A token object from a host store back into a record.
pub(crate) fn token_from_js(v: Value) -> Result<StoredToken> {
    serde_json::from_value(integral(snake(v))).map_err(|e| {
        Error::store(format!(
            "the host store returned something that is not a token record: {e}"
        ))
    })
}

/// A JS number as the integer type the core takes, without coercion: a
/// non-number, NaN, ±Infinity, a fraction or a value `T` cannot hold
/// (negative for an unsigned type, beyond 2^53) is `InvalidInput` naming
/// `field`. Range rules beyond the type are the core's.
pub(crate) fn integer<T: TryFrom<i64>>(v: Unknown<'_>, field: &str) -> Result<T> {
    let bad = |what: &str| Error::invalid_input(field, what);
    if v.get_type().ok() != Some(ValueType::Number) {
        return Err(bad("must be a number"));
    }
    let n = unsafe { v.cast::<f64>() }.map_err(|e| bad(&e.reason))?;
    // 2^53: every integer below is exact in a double, and converts to i64.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if !n.is_finite() || n.fract() != 0.0 || n.abs() > EXACT {
        return Err(bad(&format!("{n} is not a whole number in range")));
    }
    T::try_from(n as i64).map_err(|_| bad(&format!("{n} is out of range")))
}

/// A platform name (`x`, `twitter`, `linkedin`, ...).
pub(crate) fn platform(s: &str) -> Result<Platform> {
    s.parse::<Platform>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_keys_but_not_metadata() {
        let v = json!({"user_id": 1, "metadata": {"page_id": "p"}, "a_b": [{"c_d": 1}]});
        let c = camel(v.clone());
        assert_eq!(
            c,
            json!({"userId": 1, "metadata": {"page_id": "p"}, "aB": [{"cD": 1}]})
        );
        assert_eq!(snake(c), v);
    }
}
