//! Plain JS values ⇄ core values, through `serde_json::Value`.
//!
//! JS sees camelCase keys (`userId`, `accountId`, `expiresAt`); the core's
//! serde shapes are snake_case. The renaming is the core's normaliser
//! (`creatorsync_core::contract::case`), which never
//! touches user data maps (`metadata`). Token objects handed to host stores
//! carry the credential in clear: the store is where the host keeps it.
//! Everything else (errors, reports, status) is built from values that
//! hold no secret.

use creatorsync_core::contract::case;
use creatorsync_core::{AccountKey, Credential, Error, Platform, Result, StoredToken};
use napi::ValueType;
use napi::bindgen_prelude::Unknown;
use serde_json::{Value, json};

/// snake_case keys → camelCase (outside user data maps): the core's
/// normaliser.
pub(crate) fn camel(v: Value) -> Value {
    case::camel_keys(v)
}

/// camelCase keys → snake_case and integral doubles → integers (the
/// core's normaliser); too deep a value is `InvalidInput`.
fn snake_integral(v: Value) -> Result<Value> {
    Ok(case::integral(case::snake_keys(v)?))
}

/// Deserializes a JS value (camelCase) into a core type.
pub(crate) fn from_js<T: serde::de::DeserializeOwned>(what: &str, v: Value) -> Result<T> {
    creatorsync_core::contract::parse(what, v)
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
    serde_json::from_value(snake_integral(v)?).map_err(|e| {
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
