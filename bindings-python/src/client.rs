//! `CreatorSync`: the client — connect accounts, check them, publish.
//!
//! Every argument is converted to the JSON of the core's contract
//! (`creatorsync_core::contract`) and every answer is one of its views;
//! names, defaults, checks and shapes are the core's.

use std::sync::Arc;

use creatorsync_core::contract::metrics;
use creatorsync_core::contract::views::{self, ProfileView};
use creatorsync_core::contract::{ClientOptions, GivenStore, parse_targets};
use creatorsync_core::{AccountKey, Error, Platform};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use serde_json::{Map, Value, json};

use crate::convert::{int_arg, json_out, parse_platform, py_to_json};
use crate::error::{spawn, to_py};
use crate::progress;
use crate::runtime::{block_on, current_locals, spawn_py};
use crate::store::{HostKeyValueStore, options_of};

/// The CreatorSync client. Build one per process and share it.
///
/// The keyword arguments are the options of the core's contract
/// (`docs/bindings.md`, `docs/contract.schema.json`): `apps` (per
/// platform, or `"emulator"`), `endpoints` (default: production),
/// `state_secret` (≥ 32 bytes, the same on every worker), `store`
/// (`"memory"`, `"sqlite"` — the default, `creatorsync.db` keyed by
/// `CREATORSYNC_KEY` —, a `MemoryStore`/`SqliteStore`/`PostgresStore`, or
/// any object with (async) `get/put/delete/list`: the `KeyValueStore`
/// protocol), `sqlite`, `postgres`, `store_keys` (seals what a store
/// object keeps), `store_timeout_ms`, `concurrency` (`{"per_publish",
/// "global"}` or a pair), `lease_ttl_ms`, `media_host`, `api_versions`,
/// `quota_limits` (`{platform: {quota_name: cap}}`, names in
/// `docs/quotas.md`), `scheduler` (`{"jobs": {"sqlite": path} |
/// {"postgres": url}, "poll_ms", "heartbeat_ms", "concurrency"}`; jobs
/// default to the store's file or database). A mistake raises `InvalidInput` naming the option.
#[pyclass(module = "creatorsync", frozen)]
#[derive(Debug)]
pub(crate) struct CreatorSync {
    inner: creatorsync_core::CreatorSync,
    host: Option<Arc<HostKeyValueStore>>,
}

#[pymethods]
impl CreatorSync {
    #[new]
    #[pyo3(signature = (apps=None, endpoints=None, state_secret=None, store=None, *, sqlite=None, postgres=None, store_keys=None, store_timeout_ms=None, concurrency=None, lease_ttl_ms=None, media_host=None, api_versions=None, quota_limits=None, scheduler=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        apps: Option<&Bound<'_, PyAny>>,
        endpoints: Option<&Bound<'_, PyAny>>,
        state_secret: Option<&Bound<'_, PyAny>>,
        store: Option<&Bound<'_, PyAny>>,
        sqlite: Option<&Bound<'_, PyAny>>,
        postgres: Option<&Bound<'_, PyAny>>,
        store_keys: Option<&Bound<'_, PyAny>>,
        store_timeout_ms: Option<&Bound<'_, PyAny>>,
        concurrency: Option<&Bound<'_, PyAny>>,
        lease_ttl_ms: Option<&Bound<'_, PyAny>>,
        media_host: Option<&Bound<'_, PyAny>>,
        api_versions: Option<&Bound<'_, PyAny>>,
        quota_limits: Option<&Bound<'_, PyAny>>,
        scheduler: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut map = Map::new();
        for (name, v) in [
            ("apps", apps),
            ("endpoints", endpoints),
            ("sqlite", sqlite),
            ("postgres", postgres),
            ("store_keys", store_keys),
            ("store_timeout_ms", store_timeout_ms),
            ("lease_ttl_ms", lease_ttl_ms),
            ("media_host", media_host),
            ("api_versions", api_versions),
            ("quota_limits", quota_limits),
            ("scheduler", scheduler),
        ] {
            if let Some(v) = v {
                map.insert(name.into(), py_to_json(v, name).map_err(to_py)?);
            }
        }
        if let Some(s) = state_secret {
            map.insert("state_secret".into(), secret_text(s).map_err(to_py)?);
        }
        if let Some(c) = concurrency {
            map.insert("concurrency".into(), concurrency_json(c).map_err(to_py)?);
        }
        let mut host = None;
        if let Some(store) = store {
            if let Ok(name) = store.extract::<String>() {
                map.insert("store".into(), name.into());
            } else if let Some(options) = options_of(store) {
                for (k, v) in options {
                    if map.insert(k.clone(), v).is_some() {
                        return Err(to_py(Error::invalid_input(
                            "store",
                            format!("given as a store object and as `{k}`"),
                        )));
                    }
                }
            } else {
                host = Some(Arc::new(HostKeyValueStore::new(store)?));
            }
        }
        let options = ClientOptions::from_json(Value::Object(map)).map_err(to_py)?;
        let given = host.clone().map(|h| h as GivenStore);
        let inner = block_on(py, options.build(given)).map_err(to_py)?;
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
        let platform = parse_platform(platform).map_err(to_py)?;
        let sync = self.enter(py);
        json_call(py, async move {
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
            }?;
            Ok(json!({"url": req.url.as_str(), "state": req.state}))
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
        let platform = parse_platform(platform).map_err(to_py)?;
        let sync = self.enter(py);
        json_call(py, async move {
            let accounts = sync
                .connector()
                .complete(&user_id, platform, &code, &state)
                .await?;
            Ok(views::accounts_json(&accounts))
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
        let platform = parse_platform(platform).map_err(to_py)?;
        let sync = self.enter(py);
        json_call(py, async move {
            let accounts = sync
                .connector()
                .complete_from_url(&user_id, platform, &callback_url)
                .await?;
            Ok(views::accounts_json(&accounts))
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
        let key = account_key(user_id, platform, account_id)?;
        let sync = self.enter(py);
        spawn(py, async move { sync.tokens().disconnect(&key).await })
    }

    /// Every connected account of `user_id` and its state, from the store.
    fn status<'py>(&self, py: Python<'py>, user_id: String) -> PyResult<Bound<'py, PyAny>> {
        let sync = self.enter(py);
        json_call(py, async move {
            Ok(views::status_json(&sync.tokens().status(&user_id).await?))
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
        let days: i64 = int_arg(days, "days").map_err(to_py)?;
        let sync = self.enter(py);
        json_call(py, async move {
            let all = sync.tokens().expiring_within(&user_id, days).await?;
            Ok(views::accounts_json(&all))
        })
    }

    /// Live check: asks every platform whether each token still works.
    fn health<'py>(&self, py: Python<'py>, user_id: String) -> PyResult<Bound<'py, PyAny>> {
        let sync = self.enter(py);
        json_call(py, async move {
            Ok(views::health_json(&sync.tokens().health(&user_id).await?))
        })
    }

    /// Every quota of `user_id`'s accounts (and the app-wide ones of their
    /// platforms): the core's `QuotaUsage` as dicts (`platform`, `bucket`,
    /// `scope`, `account_id`, `window`, `used`, `limit`, `remaining`,
    /// `resets_at`), from the ledger every worker shares.
    fn quota<'py>(&self, py: Python<'py>, user_id: String) -> PyResult<Bound<'py, PyAny>> {
        let sync = self.enter(py);
        json_call(py, async move { core_json(&sync.quota(&user_id).await?) })
    }

    /// The metrics of published posts: `posts` is a list of
    /// `{"platform", "post_id", "account_id"?}` (a publish report's
    /// `results` items fit as they are). One dict per post, in order:
    /// `{platform, account_id, post_id, ok, metrics, error}`; in `metrics`
    /// a count the platform does not report is `None`, never 0.
    fn metrics<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        posts: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let posts = py_to_json(posts, "posts")
            .and_then(metrics::parse_post_refs)
            .map_err(to_py)?;
        let sync = self.enter(py);
        json_call(py, async move {
            Ok(metrics::results_json(
                &sync.metrics(&user_id, &posts).await?,
            ))
        })
    }

    /// Replaces the text of a published post (`{"platform", "post_id",
    /// "account_id"?}`: a publish report's result fits as it is) where the
    /// platform allows it (LinkedIn, Facebook, YouTube's description);
    /// elsewhere `PlatformError` with `platform_code` `unsupported`, nothing
    /// sent. Resolves to `None`.
    fn edit<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        post: &Bound<'py, PyAny>,
        text: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let post = py_to_json(post, "post")
            .and_then(metrics::parse_post_ref)
            .map_err(to_py)?;
        let sync = self.enter(py);
        json_call(py, async move {
            sync.edit(&user_id, &post, &text).await?;
            Ok(Value::Null)
        })
    }

    /// Deletes a published post (the same reference as `edit`) where the
    /// platform's API can (X, LinkedIn, Facebook, YouTube); a post already
    /// gone counts as deleted. Resolves to `None`.
    fn delete<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        post: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let post = py_to_json(post, "post")
            .and_then(metrics::parse_post_ref)
            .map_err(to_py)?;
        let sync = self.enter(py);
        json_call(py, async move {
            sync.delete(&user_id, &post).await?;
            Ok(Value::Null)
        })
    }

    /// The stored metrics snapshots of one post (`{"platform", "post_id",
    /// "account_id"?}`), oldest first, between `since` and `until`
    /// (timezone-aware `datetime` or RFC 3339 text; `None`: open).
    #[pyo3(signature = (user_id, post, since=None, until=None))]
    fn metrics_history<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        post: &Bound<'py, PyAny>,
        since: Option<&Bound<'py, PyAny>>,
        until: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let post = py_to_json(post, "post").map_err(to_py)?;
        let since = since.map(|t| time_text(t, "since")).transpose()?;
        let until = until.map(|t| time_text(t, "until")).transpose()?;
        let sync = self.enter(py);
        json_call(py, async move {
            metrics::history(&sync, &user_id, post, since.as_deref(), until.as_deref()).await
        })
    }

    /// Re-seals every secret of the store under the new active key
    /// `new_key` (32 raw bytes) named `new_id`; the older keys stay
    /// readable. Returns how many records moved. `ConfigError` for a store
    /// that seals nothing (memory).
    fn rotate_key<'py>(
        &self,
        py: Python<'py>,
        new_id: String,
        new_key: &Bound<'py, PyBytes>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let new_key = new_key.as_bytes().to_vec();
        let sync = self.enter(py);
        spawn(py, async move { sync.rotate_key(&new_id, &new_key).await })
    }

    /// What a TikTok account may choose when composing a post (privacy
    /// levels, the longest video, the interactions the creator turned
    /// off), for the host app's posting screen. `PlatformError`
    /// (`platform_code == "unsupported"`) on other platforms.
    #[pyo3(signature = (user_id, account_id, platform="tiktok"))]
    fn compose_constraints<'py>(
        &self,
        py: Python<'py>,
        user_id: &str,
        account_id: &str,
        platform: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let key = account_key(user_id, platform, account_id)?;
        let sync = self.enter(py);
        json_call(py, async move {
            core_json(&sync.compose_constraints(&key).await?)
        })
    }

    /// Publishes `post` (a `Post`, a dict `{"text", "media", "options"}`
    /// whose media items are `{"path"}`, `{"url"}` or `{"buffer": bytes,
    /// "name"}`, or the old backend's body: `caption`, `mediaUrl`, `title`,
    /// `hashtags`, `privacyStatus`, `mediaType`) to `targets` (None: every
    /// connected account; items are platform names, `"platform:account_id"`,
    /// `(platform, account_id)` pairs or `{"platform", "account_id"}`).
    /// Returns the report as a dict (the core's `ReportView`).
    /// `idempotency_key`: reuse it to retry without double posting.
    /// `on_progress(event)` is called on the event loop thread with dicts.
    /// `valid_targets_only=True` publishes where the post is valid and
    /// reports the rest instead of raising. `fit="pad"` or `"crop"` fixes
    /// media a target would refuse (images padded or cropped into its
    /// aspect ratio and under its byte limit, MP4s moved to faststart)
    /// instead of raising.
    #[pyo3(signature = (user_id, post, targets=None, idempotency_key=None, on_progress=None, valid_targets_only=false, fit=None))]
    #[allow(clippy::too_many_arguments)]
    fn publish<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        post: &Bound<'py, PyAny>,
        targets: Option<&Bound<'py, PyAny>>,
        idempotency_key: Option<String>,
        on_progress: Option<Bound<'py, PyAny>>,
        valid_targets_only: bool,
        fit: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let fit: creatorsync_core::media::FitMode = match fit {
            Some(f) => creatorsync_core::contract::parse("fit", f.into()).map_err(to_py)?,
            None => Default::default(),
        };
        let targets = match targets {
            Some(t) => parse_targets(py_to_json(t, "targets").map_err(to_py)?),
            None => Ok(Vec::new()),
        }
        .map_err(to_py)?;
        let spec = crate::post::read(post).map_err(to_py)?;
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
        json_call(py, async move {
            let post = spec.build().await?;
            let mut call = sync.publish(&user_id, &post).targets(targets);
            if let Some(k) = idempotency_key {
                call = call.idempotency_key(k);
            }
            if valid_targets_only {
                call = call.valid_targets_only();
            }
            let call = call.fit(fit);
            let (call, drain) = match progress {
                Some((sink, drain)) => (call.progress(sink), Some(drain)),
                None => (call, None),
            };
            let result = call.await;
            if let Some(drain) = drain {
                drain.finish().await;
            }
            Ok(views::report_json(&result?))
        })
    }

    /// Scheduled and bulk publishing, and the in-process worker
    /// (`Scheduler`), sharing this client.
    fn scheduler(&self) -> crate::schedule::Scheduler {
        crate::schedule::Scheduler::new(&self.inner, self.host.clone())
    }

    fn __repr__(&self) -> String {
        "CreatorSync(...)".into()
    }

    /// The account's live profile (handle, display name, ...), read from
    /// the platform and cached for 24 h; the profile stored at connect
    /// time when the platform cannot be reached. Raises `NotConnected` /
    /// `ReauthRequired` like a publish would.
    fn profile<'py>(
        &self,
        py: Python<'py>,
        user_id: &str,
        platform: &str,
        account_id: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let key = account_key(user_id, platform, account_id)?;
        let sync = self.enter(py);
        json_call(py, async move {
            let profile = sync.tokens().profile(&key).await?;
            Ok(views::to_json(&ProfileView::from(&profile)))
        })
    }
}

impl CreatorSync {
    /// A handle for a spawned call; a host store follows the caller's loop.
    fn enter(&self, py: Python<'_>) -> creatorsync_core::CreatorSync {
        if let Some(h) = &self.host {
            h.follow_loop(py);
        }
        self.inner.clone()
    }
}

/// Spawns a core call whose answer is JSON, handed back as plain values.
pub(crate) fn json_call<'py, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: std::future::Future<Output = creatorsync_core::Result<Value>> + Send + 'static,
{
    spawn_py(py, async move { json_out(&fut.await.map_err(to_py)?) })
}

/// A core value as JSON (its serde shape).
fn core_json<T: serde::Serialize>(v: &T) -> creatorsync_core::Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::Config(format!("serializing a result: {e}")))
}

/// A time bound as RFC 3339 text: a `datetime` through `isoformat()`
/// (a naive one has no offset and is refused by the core), or text.
fn time_text(t: &Bound<'_, PyAny>, field: &str) -> PyResult<String> {
    let text = if t.hasattr("isoformat")? {
        t.call_method0("isoformat")?
    } else {
        t.clone()
    };
    text.extract::<String>()
        .map_err(|_| to_py(Error::invalid_input(field, "a datetime or RFC 3339 text")))
}

fn account_key(user_id: &str, platform: &str, account_id: &str) -> PyResult<AccountKey> {
    AccountKey::new(
        user_id,
        parse_platform(platform).map_err(to_py)?,
        account_id,
    )
    .map_err(to_py)
}

/// `state_secret` as the contract's text (`bytes` must be UTF-8).
fn secret_text(s: &Bound<'_, PyAny>) -> creatorsync_core::Result<Value> {
    match s.cast::<PyBytes>() {
        Ok(b) => std::str::from_utf8(b.as_bytes())
            .map(|t| Value::String(t.to_owned()))
            .map_err(|_| Error::invalid_input("state_secret", "bytes must be UTF-8 text")),
        Err(_) => py_to_json(s, "state_secret"),
    }
}

/// `concurrency`: the contract's object, or a `(per_publish, global)` pair.
fn concurrency_json(c: &Bound<'_, PyAny>) -> creatorsync_core::Result<Value> {
    match c.cast::<PyTuple>() {
        Ok(t) if t.len() == 2 => Ok(json!({
            "per_publish": py_to_json(&t.get_item(0).map_err(|e| Error::invalid_input("concurrency", e.to_string()))?, "concurrency.per_publish")?,
            "global": py_to_json(&t.get_item(1).map_err(|e| Error::invalid_input("concurrency", e.to_string()))?, "concurrency.global")?,
        })),
        _ => py_to_json(c, "concurrency"),
    }
}
