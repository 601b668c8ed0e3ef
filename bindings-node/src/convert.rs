//! Plain JS values ⇄ core values, through `serde_json::Value`.
//!
//! JS sees camelCase keys (`userId`, `accountId`, `expiresAt`); the core's
//! serde shapes are snake_case. The renaming is the core's normaliser
//! (`creatorsync_core::contract::case`), which never
//! touches user data maps (`metadata`). No value crossing to JS holds a
//! secret: host stores get the core's sealed records (`kv.rs`), and
//! errors, reports and status are built from values without one.

use creatorsync_core::contract::case;
use creatorsync_core::{AccountKey, Error, Platform, Result};
use napi::ValueType;
use napi::bindgen_prelude::Unknown;
use serde_json::{Value, json};

/// snake_case keys → camelCase (outside user data maps): the core's
/// normaliser.
pub(crate) fn camel(v: Value) -> Value {
    case::camel_keys(v)
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
