//! `CreatorSync`: the client — connect accounts, check them, publish.

use std::sync::Arc;

use creatorsync_core::auth::{
    AccountHealth, AccountStatus, AppCredentials, Apps, ConsumerCredentials,
};

use creatorsync_core::{
    Account, AccountKey, DEFAULT_STORE_TIMEOUT, EndpointSet, Error, MemoryTokenStore, Platform,
    Target, TimeoutStore,
};
use pyo3::prelude::*;
use serde_json::{Value, json};

use crate::convert::{int_arg, number_arg, parse_platform, py_to_json};
use crate::error::to_py;
use crate::post::Post;
use crate::progress;
use crate::report::PublishReport;
use crate::runtime::{block_on, current_locals, spawn, spawn_py};
use crate::store::{HostStore, StoreChoice, choose, json_out};

/// The CreatorSync client. Build one per process and share it.
///
/// `apps` maps a platform to its app credentials
/// (`{"client_id", "client_secret"}`, plus `"consumer_key"` and
/// `"consumer_secret"` for X OAuth 1.0a) — the emulator's `apps` object has
/// exactly this shape. The key `"instagram_login"` (the Instagram app)
/// makes Instagram connect with Instagram Login instead of Facebook Login. `endpoints` overrides the platforms' base URLs (the
/// emulator's JSON line; None: production). `state_secret` (≥ 32 bytes)
/// signs OAuth `state`; use the same on every worker. `store` is a
/// `MemoryStore`, a `SqliteStore` or any object with async
/// `get/list/put/delete` (see the `TokenStore` protocol); None opens the
/// encrypted SQLite default (`creatorsync.db`, key from `CREATORSYNC_KEY`).
/// `concurrency=(per_publish, global)` bounds targets in flight (each 1 to
/// 2^20); `store_timeout` (seconds, default 30) bounds each call of a
/// store written in Python.
#[pyclass(module = "creatorsync", frozen)]
#[derive(Debug)]
pub(crate) struct CreatorSync {
    inner: creatorsync_core::CreatorSync,
    host: Option<Arc<HostStore>>,
}

#[pymethods]
impl CreatorSync {
    #[new]
    #[pyo3(signature = (apps=None, endpoints=None, state_secret=None, store=None, *, concurrency=None, store_timeout=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        apps: Option<&Bound<'_, PyAny>>,
        endpoints: Option<&Bound<'_, PyAny>>,
        state_secret: Option<&Bound<'_, PyAny>>,
        store: Option<&Bound<'_, PyAny>>,
        concurrency: Option<(Bound<'_, PyAny>, Bound<'_, PyAny>)>,
        store_timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let store_timeout = match store_timeout {
            Some(t) => TimeoutStore::<MemoryTokenStore>::limit_from_secs(
                "store_timeout",
                number_arg(t, "store_timeout")?,
            )
            .map_err(to_py)?,
            None => DEFAULT_STORE_TIMEOUT,
        };
        let mut builder = creatorsync_core::CreatorSync::builder();
        if let Some(apps) = apps {
            builder = builder.apps(parse_apps(&py_to_json(apps)?).map_err(to_py)?);
        }
        if let Some(endpoints) = endpoints {
            let set: EndpointSet = serde_json::from_value(py_to_json(endpoints)?)
                .map_err(|e| to_py(Error::invalid_input("endpoints", e.to_string())))?;
            builder = builder.endpoints(set);
        }
        if let Some(secret) = state_secret {
            let bytes = match secret.extract::<String>() {
                Ok(s) => s.into_bytes(),
                Err(_) => secret.extract::<Vec<u8>>()?,
            };
            builder = builder.state_secret(bytes);
        }
        let mut host = None;
        if let Some(store) = store {
            let StoreChoice { store, host: h } = choose(store, store_timeout)?;
            builder = store.apply(builder);
            host = h;
        }
        if let Some((per_publish, global)) = concurrency {
            builder = builder.concurrency(
                int_arg(&per_publish, "concurrency.per_publish")?,
                int_arg(&global, "concurrency.global")?,
            );
        }
        let inner = block_on(py, builder.build())?;
        Ok(Self { inner, host })
    }

    /// Starts connecting `platform` for `user_id`: returns
    /// `{"url": ..., "state": ...}`; send the user to `url`. The platform
    /// redirects to `redirect_uri` with the result. `oauth1=True` uses X's
    /// OAuth 1.0a flow instead of OAuth 2.0.
    #[pyo3(signature = (user_id, platform, redirect_uri, *, oauth1=false))]
    fn connect_begin<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        platform: &str,
        redirect_uri: String,
        oauth1: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let platform = parse_platform(platform)?;
        let sync = self.enter(py);
        spawn_py(py, async move {
            let c = sync.connector();
            let req = if oauth1 && platform == Platform::X {
                c.begin_oauth1(&user_id, &redirect_uri).await
            } else if oauth1 {
                Err(Error::invalid_input(
                    "oauth1",
                    "only X has an OAuth 1.0a flow",
                ))
            } else {
                c.begin(&user_id, platform, &redirect_uri).await
            }
            .map_err(to_py)?;
            json_out(&json!({"url": req.url.as_str(), "state": req.state}))
        })
    }

    /// Completes a connect with the callback's `code` and `state`; returns
    /// the connected accounts (LinkedIn: the member and each organization;
    /// Facebook: each page; Instagram: each professional account).
    fn connect_complete<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        platform: &str,
        code: String,
        state: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let platform = parse_platform(platform)?;
        let sync = self.enter(py);
        spawn_py(py, async move {
            let accounts = sync
                .connector()
                .complete(&user_id, platform, &code, &state)
                .await
                .map_err(to_py)?;
            json_out(&accounts_json(&accounts))
        })
    }

    /// Completes a connect from the full callback URL (handles
    /// `error=access_denied` and X's OAuth 1.0a callbacks too).
    fn connect_complete_from_url<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        platform: &str,
        callback_url: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let platform = parse_platform(platform)?;
        let sync = self.enter(py);
        spawn_py(py, async move {
            let accounts = sync
                .connector()
                .complete_from_url(&user_id, platform, &callback_url)
                .await
                .map_err(to_py)?;
            json_out(&accounts_json(&accounts))
        })
    }

    /// Revokes the grant (when no sibling account shares it) and forgets the
    /// account. Returns whether it was connected.
    fn disconnect<'py>(
        &self,
        py: Python<'py>,
        user_id: &str,
        platform: &str,
        account_id: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let key = AccountKey::new(user_id, parse_platform(platform)?, account_id).map_err(to_py)?;
        let sync = self.enter(py);
        spawn(py, async move { sync.tokens().disconnect(&key).await })
    }

    /// Every connected account of `user_id` and its state, from the store.
    fn status<'py>(&self, py: Python<'py>, user_id: String) -> PyResult<Bound<'py, PyAny>> {
        let sync = self.enter(py);
        spawn_py(py, async move {
            let all = sync.tokens().status(&user_id).await.map_err(to_py)?;
            json_out(&Value::Array(all.iter().map(status_json).collect()))
        })
    }

    /// Accounts of `user_id` whose token expires within `days` and cannot
    /// be refreshed without the user. `days` is an int; a negative or
    /// out-of-range value raises `InvalidInput`.
    fn expiring_within<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        days: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let days: i64 = int_arg(days, "days")?;
        let sync = self.enter(py);
        spawn_py(py, async move {
            let all = sync
                .tokens()
                .expiring_within(&user_id, days)
                .await
                .map_err(to_py)?;
            json_out(&accounts_json(&all))
        })
    }

    /// Live check: asks every platform whether each token still works.
    fn health<'py>(&self, py: Python<'py>, user_id: String) -> PyResult<Bound<'py, PyAny>> {
        let sync = self.enter(py);
        spawn_py(py, async move {
            let all = sync.tokens().health(&user_id).await.map_err(to_py)?;
            json_out(&Value::Array(all.iter().map(health_json).collect()))
        })
    }

    /// Publishes `post` to `targets` (None: every connected account; items
    /// are platform names, `"platform:account_id"` or `(platform,
    /// account_id)` tuples). `idempotency_key`: reuse it to retry without
    /// double posting. `on_progress(event)` is called on the event loop
    /// thread with dicts (`{"event": "uploading", "platform": ..., "sent":
    /// ..., "total": ...}`). `valid_targets_only=True` publishes where the
    /// post is valid and reports the rest as `InvalidPost` results instead
    /// of raising.
    #[pyo3(signature = (user_id, post, targets=None, idempotency_key=None, on_progress=None, valid_targets_only=false))]
    #[allow(clippy::too_many_arguments)]
    fn publish<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        post: Post,
        targets: Option<Vec<Bound<'py, PyAny>>>,
        idempotency_key: Option<String>,
        on_progress: Option<Bound<'py, PyAny>>,
        valid_targets_only: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let targets = targets
            .unwrap_or_default()
            .iter()
            .map(parse_target)
            .collect::<PyResult<Vec<_>>>()?;
        let progress = match on_progress {
            Some(cb) if !cb.is_none() => {
                if !cb.is_callable() {
                    return Err(pyo3::exceptions::PyTypeError::new_err(
                        "on_progress must be callable",
                    ));
                }
                Some(progress::start(cb.unbind(), current_locals(py)?))
            }
            _ => None,
        };
        let sync = self.enter(py);
        spawn_py(py, async move {
            let post = post.to_core().await.map_err(to_py)?;
            let mut call = sync.publish(&user_id, &post).targets(targets);
            if let Some(k) = idempotency_key {
                call = call.idempotency_key(k);
            }
            if valid_targets_only {
                call = call.valid_targets_only();
            }
            let (call, drain) = match progress {
                Some((sink, drain)) => (call.progress(sink), Some(drain)),
                None => (call, None),
            };
            let result = call.await;
            if let Some(drain) = drain {
                drain.finish().await;
            }
            PublishReport::from_core(result.map_err(to_py)?)
        })
    }

    fn __repr__(&self) -> String {
        "CreatorSync(...)".into()
    }

    /// The account's live profile (handle, display name, ...) as the
    /// core's `Profile`, read from the platform and cached for 24 h; the
    /// profile stored at connect time when the platform cannot be reached.
    /// Raises `NotConnected` / `ReauthRequired` like a publish would.
    fn profile<'py>(
        &self,
        py: Python<'py>,
        user_id: &str,
        platform: &str,
        account_id: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let key = AccountKey::new(user_id, parse_platform(platform)?, account_id).map_err(to_py)?;
        let sync = self.enter(py);
        spawn_py(py, async move {
            let profile = sync.tokens().profile(&key).await.map_err(to_py)?;
            json_out(&core_json(&profile)?)
        })
    }
}

/// A core value as JSON (its serde shape: the one definition of the
/// result the bindings hand out).
fn core_json<T: serde::Serialize>(v: &T) -> PyResult<Value> {
    serde_json::to_value(v).map_err(|e| to_py(Error::Config(format!("serializing a result: {e}"))))
}

impl CreatorSync {
    /// A handle for a spawned call; host stores follow the caller's loop.
    fn enter(&self, py: Python<'_>) -> creatorsync_core::CreatorSync {
        if let Some(h) = &self.host {
            h.follow_loop(py);
        }
        self.inner.clone()
    }
}

/// `{"x": {"client_id", "client_secret", "consumer_key", "consumer_secret"}, ...}`.
fn parse_apps(v: &Value) -> creatorsync_core::Result<Apps> {
    let Some(map) = v.as_object() else {
        return Err(Error::invalid_input(
            "apps",
            "must be a dict of platform → app credentials",
        ));
    };
    let mut apps = Apps::new();
    for (name, app) in map {
        let field = |k: &str| app.get(k).and_then(Value::as_str).map(str::to_owned);
        let id = field("client_id")
            .ok_or_else(|| Error::invalid_input(format!("apps.{name}"), "client_id is required"))?;
        let creds = match field("client_secret") {
            Some(secret) => AppCredentials::new(id, secret),
            None => AppCredentials::public(id),
        };
        apps = apps.with_named(name, creds)?;
        if let (Some(k), Some(s)) = (field("consumer_key"), field("consumer_secret")) {
            apps = apps.with_x_consumer(ConsumerCredentials::new(k, s));
        }
    }
    Ok(apps)
}

/// `"x"`, `"facebook:1001"` or `("facebook", "1001")`.
fn parse_target(t: &Bound<'_, PyAny>) -> PyResult<Target> {
    if let Ok((p, account_id)) = t.extract::<(String, String)>() {
        return Ok(Target::Account {
            platform: parse_platform(&p)?,
            account_id,
        });
    }
    let s: String = t.extract()?;
    Ok(match s.split_once(':') {
        Some((p, account_id)) => Target::Account {
            platform: parse_platform(p)?,
            account_id: account_id.to_owned(),
        },
        None => Target::Platform(parse_platform(&s)?),
    })
}

/// A flat account dict.
fn account_json(a: &Account) -> Value {
    json!({
        "user_id": a.key.user_id,
        "platform": a.key.platform.as_str(),
        "account_id": a.key.account_id,
        "handle": a.profile.handle,
        "display_name": a.profile.display_name,
        "kind": a.profile.kind,
        "expires_at": a.expires_at,
        "needs_reauth": a.needs_reauth,
    })
}

fn accounts_json(all: &[Account]) -> Value {
    Value::Array(all.iter().map(account_json).collect())
}

fn status_json(s: &AccountStatus) -> Value {
    let mut v = account_json(&s.account);
    if let Some(o) = v.as_object_mut() {
        o.insert("connected".into(), json!(s.connected));
        o.insert("missing_scopes".into(), json!(s.missing_scopes));
        o.insert("can_refresh".into(), json!(s.can_refresh));
    }
    v
}

fn health_json(h: &AccountHealth) -> Value {
    json!({
        "user_id": h.key.user_id,
        "platform": h.key.platform.as_str(),
        "account_id": h.key.account_id,
        "healthy": h.healthy,
        "error": h.error.as_ref().map(|e| json!({"code": e.code(), "message": e.to_string()})),
    })
}
