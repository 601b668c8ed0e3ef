//! Conversions between core values and plain Python values (dicts, lists,
//! str, int, float, bool, None), through `serde_json::Value`.
//!
//! Token dicts handed to host stores carry the credential in clear (the
//! store is where the host keeps it); everything else a user can print —
//! reprs, exceptions, progress events — is built from the core's redacting
//! `Serialize`/`Display` and never contains a secret.

use creatorsync_core::{AccountKey, Credential, Error, Platform, StoredToken};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Value};

use crate::error::to_py;

/// A JSON value as a Python object.
pub(crate) fn json_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_u64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(a) => {
            let items = a
                .iter()
                .map(|x| json_to_py(py, x))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        Value::Object(o) => {
            let d = PyDict::new(py);
            for (k, x) in o {
                d.set_item(k, json_to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// Deepest nesting of dicts/lists accepted from Python: the limit the Node
/// binding has (napi's `MAX_JSON_DEPTH`, which is also serde_json's
/// recursion limit), so a value accepted by one binding is accepted by the
/// other and deeper input is an error, not a stack overflow.
pub(crate) const MAX_DEPTH: usize = 128;

/// Most values converted in one call (napi's `MAX_JSON_NODES`): a shared
/// dict nested inside itself by reference (`{"a": d, "b": d}` sixty deep)
/// stays under the depth limit but would expand to 2^60 values.
pub(crate) const MAX_NODES: usize = 1_000_000;

/// A Python value (dict/list/tuple/str/int/float/bool/None) as JSON.
/// Nesting deeper than [`MAX_DEPTH`] or more than [`MAX_NODES`] values is
/// `InvalidInput`; the recursion is bounded by the depth limit.
pub(crate) fn py_to_json(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    let mut budget = MAX_NODES;
    to_json(obj, MAX_DEPTH, &mut budget)
}

fn too_big(what: &str) -> PyErr {
    to_py(Error::invalid_input("value", what))
}

fn to_json(obj: &Bound<'_, PyAny>, depth: usize, budget: &mut usize) -> PyResult<Value> {
    *budget = budget
        .checked_sub(1)
        .ok_or_else(|| too_big(&format!("more than {MAX_NODES} values")))?;
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<u64>() {
            return Ok(Value::from(i));
        }
        return obj
            .extract::<i64>()
            .map(Value::from)
            .map_err(|_| too_big("an integer outside the 64-bit range"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(serde_json::Number::from_f64(f.value())
            .map(Value::Number)
            .unwrap_or(Value::Null));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.extract::<String>()?));
    }
    let nested = obj.is_instance_of::<PyDict>()
        || obj.is_instance_of::<PyList>()
        || obj.is_instance_of::<PyTuple>();
    if nested && depth == 0 {
        return Err(too_big(&format!("nested deeper than {MAX_DEPTH} levels")));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut m = Map::new();
        for (k, v) in d.iter() {
            m.insert(k.extract::<String>()?, to_json(&v, depth - 1, budget)?);
        }
        return Ok(Value::Object(m));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return l
            .iter()
            .map(|x| to_json(&x, depth - 1, budget))
            .collect::<PyResult<_>>()
            .map(Value::Array);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return t
            .iter()
            .map(|x| to_json(&x, depth - 1, budget))
            .collect::<PyResult<_>>()
            .map(Value::Array);
    }
    // datetime and friends: their ISO form.
    if obj.hasattr("isoformat")? {
        return Ok(Value::String(obj.call_method0("isoformat")?.extract()?));
    }
    Err(PyTypeError::new_err(format!(
        "cannot convert a {} to a plain value",
        obj.get_type().name()?
    )))
}

/// An integer argument as the integer type the core takes, without
/// coercion: anything but an `int` (a `bool`, a float, NaN, a str...) and
/// any value `T` cannot hold (negative for an unsigned type, too large)
/// is `InvalidInput` naming `field`. Range rules beyond the type are the
/// core's.
pub(crate) fn int_arg<T: TryFrom<i64>>(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<T> {
    let bad = |what: String| to_py(Error::invalid_input(field, what));
    if obj.is_instance_of::<PyBool>() || !obj.is_instance_of::<PyInt>() {
        return Err(bad(format!(
            "must be an int, not {}",
            obj.get_type().name()?
        )));
    }
    obj.extract::<i64>()
        .ok()
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| bad(format!("{obj} is out of range")))
}

/// A number argument (int or float, not bool) as `f64`, for limits the
/// core validates.
pub(crate) fn number_arg(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<f64> {
    if obj.is_instance_of::<PyBool>()
        || !(obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyFloat>())
    {
        return Err(to_py(Error::invalid_input(
            field,
            format!("must be a number, not {}", obj.get_type().name()?),
        )));
    }
    obj.extract::<f64>()
        .map_err(|_| to_py(Error::invalid_input(field, "out of range")))
}

/// `{"user_id", "platform", "account_id"}`.
pub(crate) fn key_to_py<'py>(py: Python<'py>, key: &AccountKey) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("user_id", &key.user_id)?;
    d.set_item("platform", key.platform.as_str())?;
    d.set_item("account_id", &key.account_id)?;
    Ok(d)
}

/// The token dict given to host stores, secrets included.
pub(crate) fn token_to_json(token: &StoredToken) -> Value {
    let mut v = serde_json::to_value(token).unwrap_or_default();
    // The core's Serialize redacts secrets; a store must keep the real ones.
    let cred = match &token.credential {
        Credential::OAuth1 { token, secret } => serde_json::json!({
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
        } => serde_json::json!({
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
        o.insert("credential".into(), cred);
    }
    v
}

/// A token dict back into a record (validation errors → `InvalidInput`).
pub(crate) fn token_from_json(v: Value) -> Result<StoredToken, creatorsync_core::Error> {
    serde_json::from_value(v).map_err(|e| {
        creatorsync_core::Error::invalid_input("token", format!("not a token record: {e}"))
    })
}

/// A Python token dict into a record.
pub(crate) fn token_from_py(obj: &Bound<'_, PyAny>) -> PyResult<StoredToken> {
    token_from_json(py_to_json(obj)?).map_err(to_py)
}

/// A Python key (dict with user_id/platform/account_id) into an AccountKey.
pub(crate) fn key_from_py(obj: &Bound<'_, PyAny>) -> PyResult<AccountKey> {
    let d = obj.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err("an account key is a dict with user_id, platform and account_id")
    })?;
    let get = |k: &str| -> PyResult<String> {
        d.get_item(k)?
            .ok_or_else(|| PyTypeError::new_err(format!("account key without {k:?}")))?
            .extract()
    };
    let platform = parse_platform(&get("platform")?)?;
    AccountKey::new(get("user_id")?, platform, get("account_id")?).map_err(to_py)
}

/// Parses a platform name (`x`, `twitter`, `linkedin`, ...).
pub(crate) fn parse_platform(s: &str) -> PyResult<Platform> {
    s.parse::<Platform>().map_err(to_py)
}
