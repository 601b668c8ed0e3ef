//! Conversions between plain Python values (dicts, lists, str, int,
//! float, bool, None) and `serde_json::Value`, the form the core's
//! contract reads and writes. Nothing here decides a shape: the core's
//! contract does. This module depends on no other module of the crate but
//! [`crate::runtime`] (errors are the core's `Error`, mapped by callers),
//! so `error` may use it without a cycle.

use creatorsync_core::{Error, Platform, Result};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Value};

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
pub(crate) fn py_to_json(obj: &Bound<'_, PyAny>, field: &str) -> Result<Value> {
    let mut budget = MAX_NODES;
    to_json(obj, field, MAX_DEPTH, &mut budget)
}

fn too_big(field: &str, what: &str) -> Error {
    Error::invalid_input(field, what)
}

fn to_json(obj: &Bound<'_, PyAny>, field: &str, depth: usize, budget: &mut usize) -> Result<Value> {
    let bad = |e: PyErr| Error::invalid_input(field, e.to_string());
    *budget = budget
        .checked_sub(1)
        .ok_or_else(|| too_big(field, &format!("more than {MAX_NODES} values")))?;
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
            .map_err(|_| too_big(field, "an integer outside the 64-bit range"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        // JSON has no NaN or infinity: refused, never turned into null.
        return serde_json::Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| Error::invalid_input(field, "must be a finite number"));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return s.extract::<String>().map(Value::String).map_err(bad);
    }
    let nested = obj.is_instance_of::<PyDict>()
        || obj.is_instance_of::<PyList>()
        || obj.is_instance_of::<PyTuple>();
    if nested && depth == 0 {
        return Err(too_big(
            field,
            &format!("nested deeper than {MAX_DEPTH} levels"),
        ));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut m = Map::new();
        for (k, v) in d.iter() {
            let k = k
                .extract::<String>()
                .map_err(|_| Error::invalid_input(field, "dict keys must be str"))?;
            m.insert(k, to_json(&v, field, depth - 1, budget)?);
        }
        return Ok(Value::Object(m));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return l
            .iter()
            .map(|x| to_json(&x, field, depth - 1, budget))
            .collect::<Result<_>>()
            .map(Value::Array);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return t
            .iter()
            .map(|x| to_json(&x, field, depth - 1, budget))
            .collect::<Result<_>>()
            .map(Value::Array);
    }
    // datetime and friends: their ISO form.
    if obj.hasattr("isoformat").map_err(bad)? {
        return obj
            .call_method0("isoformat")
            .and_then(|s| s.extract())
            .map(Value::String)
            .map_err(bad);
    }
    let ty = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    Err(Error::invalid_input(
        field,
        format!("cannot convert a {ty} to a plain value"),
    ))
}

/// An integer argument as the integer type the core takes, without
/// coercion: anything but an `int` (a `bool`, a float, a str...) and any
/// value `T` cannot hold is `InvalidInput` naming `field`. Range rules
/// beyond the type are the core's.
pub(crate) fn int_arg<T: TryFrom<i64>>(obj: &Bound<'_, PyAny>, field: &str) -> Result<T> {
    if obj.is_instance_of::<PyBool>() || !obj.is_instance_of::<PyInt>() {
        let ty = obj
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        return Err(Error::invalid_input(
            field,
            format!("must be an int, not {ty}"),
        ));
    }
    obj.extract::<i64>()
        .ok()
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| Error::invalid_input(field, format!("{obj} is out of range")))
}

/// Parses a platform name (`x`, `twitter`, `linkedin`, ...).
pub(crate) fn parse_platform(s: &str) -> Result<Platform> {
    s.parse::<Platform>()
}

/// A JSON value as a Python object, built on whichever thread holds the
/// result (takes the GIL briefly).
pub(crate) fn json_out(v: &Value) -> PyResult<Py<PyAny>> {
    crate::runtime::attach_py(|py| json_to_py(py, v).map(Bound::unbind))
}
