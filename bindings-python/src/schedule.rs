//! `Scheduler` (from `CreatorSync.scheduler()`): scheduled and bulk
//! publishing, and the in-process worker.
//!
//! ```python
//! sched = sync.scheduler()
//! sid = await sched.schedule("user-1", {"text": "Hi"}, {"local": "2026-12-24T09:00", "zone": "Europe/Berlin"})
//! stop = asyncio.Event()
//! worker = asyncio.ensure_future(sched.run(stop))
//! ...
//! stop.set(); await worker          # finishes the jobs it runs, then returns
//! ```
//!
//! Arguments become the JSON of the core's contract
//! (`creatorsync_core::contract::schedule`) and answers are its views;
//! this file converts only (a `datetime` to RFC 3339, a `zoneinfo` time to
//! `{local, zone}`, a `Post` object to the contract's post).

use std::sync::Arc;

use creatorsync_core::contract::schedule as contract;
use creatorsync_core::{Error, Result};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::{Map, Value, json};

use crate::client::json_call;
use crate::convert::py_to_json;
use crate::error::to_py;
use crate::runtime::{current_locals, runtime, spawn_py};
use crate::store::HostKeyValueStore;

/// Schedules posts for later and runs the worker that publishes them when
/// due. Get one with `CreatorSync.scheduler()`; it shares the client.
#[pyclass(module = "creatorsync", frozen)]
#[derive(Debug)]
pub(crate) struct Scheduler {
    inner: creatorsync_core::schedule::Scheduler,
    host: Option<Arc<HostKeyValueStore>>,
}

impl Scheduler {
    pub(crate) fn new(
        sync: &creatorsync_core::CreatorSync,
        host: Option<Arc<HostKeyValueStore>>,
    ) -> Self {
        Self {
            inner: sync.scheduler(),
            host,
        }
    }

    /// A handle for a spawned call; a host store follows the caller's loop.
    fn enter(&self, py: Python<'_>) -> creatorsync_core::schedule::Scheduler {
        if let Some(h) = &self.host {
            h.follow_loop(py);
        }
        self.inner.clone()
    }
}

#[pymethods]
impl Scheduler {
    /// Schedules `post` (as `publish` takes it; media must be files or
    /// URLs) for `user_id` at `at`: an aware `datetime` or RFC 3339 text
    /// (an instant), a `datetime` whose tzinfo is a `zoneinfo.ZoneInfo`
    /// (that wall-clock time in that zone) or `{"local": "2026-12-24T09:00",
    /// "zone": "Europe/Berlin"}`. Every violation of every target and every
    /// quota certain to be used up at that time raise now (`InvalidPost`,
    /// `QuotaExhausted`). Returns the schedule id.
    #[pyo3(signature = (user_id, post, at, targets=None, idempotency_key=None, valid_targets_only=false, native=None))]
    #[allow(clippy::too_many_arguments)]
    fn schedule<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        post: &Bound<'py, PyAny>,
        at: &Bound<'py, PyAny>,
        targets: Option<&Bound<'py, PyAny>>,
        idempotency_key: Option<String>,
        valid_targets_only: bool,
        native: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let spec = crate::post::read(post).map_err(to_py)?;
        let at = at_json(at, "at").map_err(to_py)?;
        let mut options = Map::new();
        if let Some(t) = targets {
            options.insert("targets".into(), py_to_json(t, "targets").map_err(to_py)?);
        }
        if let Some(k) = idempotency_key {
            options.insert("idempotency_key".into(), k.into());
        }
        options.insert("valid_targets_only".into(), valid_targets_only.into());
        if let Some(n) = native {
            options.insert("native".into(), json!(n));
        }
        let s = self.enter(py);
        json_call(py, async move {
            contract::schedule(&s, &user_id, spec, at, Value::Object(options)).await
        })
    }

    /// Schedules many posts: `items` are dicts `{"user_id", "post", "at",
    /// "targets"?, "idempotency_key"?, "native"?}`. `mode` is
    /// `"all_or_nothing"` (nothing unless every item passes) or
    /// `"valid_only"`. Returns `{"scheduled", "items": [{"index", "id",
    /// "error"}]}`.
    #[pyo3(signature = (items, mode="all_or_nothing"))]
    fn schedule_many<'py>(
        &self,
        py: Python<'py>,
        items: &Bound<'py, PyAny>,
        mode: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let list = items.cast::<PyList>().map_err(|_| {
            to_py(Error::invalid_input(
                "items",
                "a list of dicts {user_id, post, at, ...}",
            ))
        })?;
        let mut read = Vec::with_capacity(list.len());
        for (i, item) in list.iter().enumerate() {
            read.push(bulk_item(&item, i).map_err(to_py)?);
        }
        let mode = Value::String(mode.to_owned());
        let s = self.enter(py);
        json_call(
            py,
            async move { contract::schedule_many(&s, read, mode).await },
        )
    }

    /// One scheduled post: `id`, `user_id`, `state`, `due_at`, `zone`,
    /// `local_time`, `text`, `attempts`, `results` (a publish report's
    /// targets plus `mode`), `error`, `created_at`, `started_at`,
    /// `finished_at`.
    fn get<'py>(&self, py: Python<'py>, id: String) -> PyResult<Bound<'py, PyAny>> {
        let s = self.enter(py);
        json_call(py, async move { contract::get(&s, id).await })
    }

    /// One page of scheduled posts, by due time then id:
    /// `{"items", "next"}` (give `next` as `after` for the next page).
    #[pyo3(signature = (*, user_id=None, state=None, due_from=None, due_to=None, limit=None, after=None))]
    #[allow(clippy::too_many_arguments)]
    fn list<'py>(
        &self,
        py: Python<'py>,
        user_id: Option<String>,
        state: Option<String>,
        due_from: Option<&Bound<'py, PyAny>>,
        due_to: Option<&Bound<'py, PyAny>>,
        limit: Option<&Bound<'py, PyAny>>,
        after: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut q = Map::new();
        for (k, v) in [("user_id", user_id), ("state", state), ("after", after)] {
            if let Some(v) = v {
                q.insert(k.into(), v.into());
            }
        }
        for (k, v) in [("due_from", due_from), ("due_to", due_to)] {
            if let Some(v) = v {
                q.insert(k.into(), time_json(v, k).map_err(to_py)?);
            }
        }
        if let Some(l) = limit {
            q.insert("limit".into(), py_to_json(l, "limit").map_err(to_py)?);
        }
        let s = self.enter(py);
        json_call(
            py,
            async move { contract::list(&s, Value::Object(q)).await },
        )
    }

    /// Moves a post still `scheduled` to `at`; returns its view.
    fn reschedule<'py>(
        &self,
        py: Python<'py>,
        id: String,
        at: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let at = at_json(at, "at").map_err(to_py)?;
        let s = self.enter(py);
        json_call(py, async move { contract::reschedule(&s, id, at).await })
    }

    /// Cancels a post that has not started; returns its view.
    fn cancel<'py>(&self, py: Python<'py>, id: String) -> PyResult<Bound<'py, PyAny>> {
        let s = self.enter(py);
        json_call(py, async move { contract::cancel(&s, id).await })
    }

    /// Runs a `failed` or `outcome_unknown` post again now (an open
    /// outcome is looked up at the platform before anything is created).
    fn retry<'py>(&self, py: Python<'py>, id: String) -> PyResult<Bound<'py, PyAny>> {
        let s = self.enter(py);
        json_call(py, async move { contract::retry(&s, id).await })
    }

    /// Workers alive and the backlog: `workers_alive`, `due`, `running`,
    /// `late`, `oldest_lateness_ms`, `upcoming`.
    fn health<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let s = self.enter(py);
        json_call(py, async move { contract::health(&s).await })
    }

    /// Runs a worker in this process until `stop` (an `asyncio.Event`) is
    /// set: it publishes due posts and sends heartbeats; once stopped it
    /// finishes the jobs it runs, then the awaitable returns. Cancelling
    /// the awaiting task stops it the same way (the jobs it runs finish in
    /// the background). Without `stop` it runs until cancelled.
    #[pyo3(signature = (stop=None))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        stop: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let stopped = match stop {
            Some(ev) if !ev.is_none() => {
                let locals = current_locals(py)?;
                let wait = ev.call_method0("wait")?;
                Some(pyo3_async_runtimes::into_future_with_locals(&locals, wait)?)
            }
            _ => None,
        };
        let s = self.enter(py);
        // The worker's shutdown: `stop` set, or this call's future dropped
        // (the task cancelled); either drops `tx`.
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let mut worker = runtime().spawn(async move {
            s.run(async move {
                let _ = rx.await;
            })
            .await
        });
        spawn_py(py, async move {
            let stop_on_drop = tx;
            let Some(stopped) = stopped else {
                // Runs until cancelled (dropping `stop_on_drop` stops it).
                return joined(worker.await);
            };
            tokio::select! {
                r = &mut worker => return joined(r),
                // An event set, or its loop closed: stop either way.
                _ = stopped => {}
            }
            drop(stop_on_drop);
            joined(worker.await)
        })
    }

    fn __repr__(&self) -> String {
        "Scheduler(...)".into()
    }
}

/// The worker task's outcome as the awaitable's.
fn joined(r: std::result::Result<Result<()>, tokio::task::JoinError>) -> PyResult<()> {
    match r {
        Ok(r) => r.map_err(to_py),
        Err(e) => Err(to_py(Error::Config(format!(
            "the scheduler worker stopped: {e}"
        )))),
    }
}

/// `at` as the contract's JSON: a `datetime` with a `ZoneInfo` is
/// `{local, zone}`, another `datetime` its ISO text (a naive one has no
/// offset and is refused by the core), a dict as given (its `local` may
/// be a naive `datetime`), text as given.
fn at_json(at: &Bound<'_, PyAny>, field: &str) -> Result<Value> {
    let err = |e: PyErr| Error::invalid_input(field, e.to_string());
    if let Ok(d) = at.cast::<PyDict>() {
        let mut v = py_to_json_local(d, field)?;
        if let Some(local) = d.get_item("local").map_err(err)?
            && local.hasattr("isoformat").map_err(err)?
        {
            let text: String = local
                .call_method0("isoformat")
                .and_then(|t| t.extract())
                .map_err(err)?;
            v["local"] = Value::String(text);
        }
        return Ok(v);
    }
    if !at.hasattr("isoformat").map_err(err)? {
        return py_to_json(at, field);
    }
    let tz = at.getattr("tzinfo").ok().filter(|t| !t.is_none());
    if let Some(key) = tz.and_then(|t| t.getattr("key").ok()) {
        let zone: String = key.extract().map_err(err)?;
        let kw = PyDict::new(at.py());
        kw.set_item("tzinfo", at.py().None()).map_err(err)?;
        let naive = at.call_method("replace", (), Some(&kw)).map_err(err)?;
        let local: String = naive
            .call_method0("isoformat")
            .and_then(|t| t.extract())
            .map_err(err)?;
        return Ok(json!({"local": local, "zone": zone}));
    }
    time_json(at, field)
}

/// A dict's JSON with a `datetime` `local` left out (filled in after).
fn py_to_json_local(d: &Bound<'_, PyDict>, field: &str) -> Result<Value> {
    let copy = d
        .copy()
        .map_err(|e| Error::invalid_input(field, e.to_string()))?;
    let _ = copy.del_item("local");
    let mut v = py_to_json(&copy, field)?;
    if let Some(local) = d
        .get_item("local")
        .map_err(|e| Error::invalid_input(field, e.to_string()))?
        && !local.hasattr("isoformat").unwrap_or(false)
        && let Value::Object(m) = &mut v
    {
        m.insert(
            "local".into(),
            py_to_json(&local, &format!("{field}.local"))?,
        );
    }
    Ok(v)
}

/// A time as RFC 3339 text: a `datetime` through `isoformat()`, text as
/// given.
fn time_json(t: &Bound<'_, PyAny>, field: &str) -> Result<Value> {
    let text = if t.hasattr("isoformat").unwrap_or(false) {
        t.call_method0("isoformat")
            .map_err(|e| Error::invalid_input(field, e.to_string()))?
    } else {
        t.clone()
    };
    text.extract::<String>()
        .map(Value::String)
        .map_err(|_| Error::invalid_input(field, "a datetime or RFC 3339 text"))
}

/// One bulk item: its JSON without `post`, and the post read as `publish`
/// reads it (a `Post` object or a dict).
fn bulk_item(
    item: &Bound<'_, PyAny>,
    i: usize,
) -> Result<(Value, Option<creatorsync_core::contract::PostSpec>)> {
    let field = format!("items[{i}]");
    let d = item
        .cast::<PyDict>()
        .map_err(|_| Error::invalid_input(&field, "a dict {user_id, post, at, ...}"))?;
    let bad = |e: PyErr| Error::invalid_input(&field, e.to_string());
    let copy = d.copy().map_err(bad)?;
    let post = match copy.get_item("post").map_err(bad)? {
        Some(p) => {
            copy.del_item("post").map_err(bad)?;
            Some(crate::post::read(&p).map_err(|e| contract::within(e, &field))?)
        }
        None => None,
    };
    let at = match copy.get_item("at").map_err(bad)? {
        Some(a) => {
            copy.del_item("at").map_err(bad)?;
            Some(at_json(&a, &format!("{field}.at"))?)
        }
        None => None,
    };
    let mut v = py_to_json(&copy, &field)?;
    if let (Some(at), Value::Object(m)) = (at, &mut v) {
        m.insert("at".into(), at);
    }
    Ok((v, post))
}
