//! `MemoryStore`, `SqliteStore`, `PostgresStore`: conveniences that are
//! nothing but the contract's store options (`store="memory"`,
//! `sqlite={...}`, `postgres={...}`), held until a client is built. They
//! open nothing and check nothing: the core does both when the client is
//! built (`ClientOptions::build`), so a mistake raises there, naming the
//! option.

use base64::Engine as _;
use creatorsync_core::Result;
use creatorsync_core::http::redact_url;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use serde_json::{Map, Value, json};

use crate::convert::py_to_json;
use crate::error::to_py;

/// A key as the contract takes it: base64 text (raw bytes are encoded,
/// nothing else is decided here).
fn key_text(key: &Bound<'_, PyAny>, field: &str) -> Result<Value> {
    if let Ok(b) = key.cast::<PyBytes>() {
        return Ok(base64::engine::general_purpose::STANDARD
            .encode(b.as_bytes())
            .into());
    }
    if key.is_instance_of::<PyString>() {
        return py_to_json(key, field);
    }
    Err(creatorsync_core::Error::invalid_input(
        field,
        "must be 32 bytes or their base64 string",
    ))
}

/// The key fields shared by `sqlite` and `postgres`.
fn keys(
    o: &mut Map<String, Value>,
    field: &str,
    key: Option<&Bound<'_, PyAny>>,
    key_id: Option<String>,
    older: Option<&Bound<'_, PyAny>>,
) -> Result<()> {
    if let Some(k) = key {
        o.insert("key".into(), key_text(k, &format!("{field}.key"))?);
    }
    if let Some(id) = key_id {
        o.insert("key_id".into(), id.into());
    }
    if let Some(ks) = older {
        o.insert("keys".into(), py_to_json(ks, &format!("{field}.keys"))?);
    }
    Ok(())
}

/// Tokens, pending connects and the publish log in process memory (lost
/// on restart; one worker only): the option `store="memory"`.
#[pyclass(module = "creatorsync", frozen)]
#[derive(Debug)]
pub(crate) struct MemoryStore;

#[pymethods]
impl MemoryStore {
    #[new]
    fn new() -> Self {
        Self
    }

    fn __repr__(&self) -> String {
        "MemoryStore()".into()
    }
}

/// The embedded encrypted SQLite file: the option `sqlite={"path", "key",
/// "key_id", "keys"}`. `key` is 32 raw bytes or their base64 (None:
/// `CREATORSYNC_KEY`); `keys` (instead of `key`) is a list of `{"id",
/// "key"}`, the active key first.
#[pyclass(module = "creatorsync", frozen)]
#[derive(Debug)]
pub(crate) struct SqliteStore {
    pub(crate) options: Map<String, Value>,
    path: String,
}

#[pymethods]
impl SqliteStore {
    #[new]
    #[pyo3(signature = (path, key=None, key_id=None, *, keys=None))]
    fn new(
        path: std::path::PathBuf,
        key: Option<&Bound<'_, PyAny>>,
        key_id: Option<String>,
        keys: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let path = path.to_string_lossy().into_owned();
        let mut o = Map::new();
        o.insert("path".into(), path.clone().into());
        self::keys(&mut o, "sqlite", key, key_id, keys).map_err(to_py)?;
        Ok(Self { options: o, path })
    }

    /// The database file.
    #[getter]
    fn path(&self) -> String {
        self.path.clone()
    }

    fn __repr__(&self) -> String {
        format!("SqliteStore({:?})", self.path)
    }
}

/// PostgreSQL, shared by every worker: the option `postgres={"url",
/// "key", "key_id", "keys", "max_connections", "acquire_timeout_ms"}`.
/// The password never appears in `repr`, errors or logs.
#[pyclass(module = "creatorsync", frozen)]
#[derive(Debug)]
pub(crate) struct PostgresStore {
    pub(crate) options: Map<String, Value>,
}

#[pymethods]
impl PostgresStore {
    #[new]
    #[pyo3(signature = (url, key=None, key_id=None, *, keys=None, max_connections=None, acquire_timeout_ms=None))]
    fn new(
        url: String,
        key: Option<&Bound<'_, PyAny>>,
        key_id: Option<String>,
        keys: Option<&Bound<'_, PyAny>>,
        max_connections: Option<&Bound<'_, PyAny>>,
        acquire_timeout_ms: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut o = Map::new();
        o.insert("url".into(), url.into());
        self::keys(&mut o, "postgres", key, key_id, keys).map_err(to_py)?;
        for (name, v) in [
            ("max_connections", max_connections),
            ("acquire_timeout_ms", acquire_timeout_ms),
        ] {
            if let Some(v) = v {
                let field = format!("postgres.{name}");
                o.insert(name.into(), py_to_json(v, &field).map_err(to_py)?);
            }
        }
        Ok(Self { options: o })
    }

    /// The connection URL with its password replaced by `[redacted]`.
    #[getter]
    fn url(&self) -> String {
        let url = self
            .options
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or("");
        url::Url::parse(url).map_or_else(|_| "[unparsable URL]".into(), |u| redact_url(&u))
    }

    fn __repr__(&self) -> String {
        format!("PostgresStore({:?})", self.url())
    }
}

/// The options a built-in store stands for.
pub(crate) fn options_of(obj: &Bound<'_, PyAny>) -> Option<Map<String, Value>> {
    if obj.cast::<MemoryStore>().is_ok() {
        let mut o = Map::new();
        o.insert("store".into(), json!("memory"));
        return Some(o);
    }
    if let Ok(s) = obj.cast::<SqliteStore>() {
        let mut o = Map::new();
        o.insert("sqlite".into(), Value::Object(s.get().options.clone()));
        return Some(o);
    }
    if let Ok(s) = obj.cast::<PostgresStore>() {
        let mut o = Map::new();
        o.insert("postgres".into(), Value::Object(s.get().options.clone()));
        return Some(o);
    }
    None
}
