//! `CreatorSync`: the Node face of `creatorsync_core::CreatorSync`.
//!
//! ```js
//! const sync = await CreatorSync.create({ apps, endpoints, stateSecret, store })
//! const { url } = await sync.connectBegin('user-1', 'youtube', 'https://app.example/cb/youtube')
//! const accounts = await sync.connectCompleteFromUrl('user-1', 'youtube', req.originalUrl)
//! const report = await sync.publish('user-1', { text: 'Hello' }, { onProgress, signal })
//! ```
//!
//! Every method returns a Promise that rejects with a `CreatorSyncError`.
//! Progress callbacks go through a non-blocking, weak thread-safe
//! function; an `AbortSignal` drops the publish future (requests stop; the
//! publish log reconciles any target left pending on the next attempt with
//! the same idempotency key).

use std::sync::Arc;

use creatorsync_core::auth::{AppCredentials, Apps, ConsumerCredentials};
use creatorsync_core::{
    AccountKey, EndpointSet, Endpoints, Error, KeyRing, MemoryTokenStore, Platform,
    PostgresTokenStore, PublishReport, Result, Target, TokenStore,
};
use napi::bindgen_prelude::{JsObjectValue, Object, PromiseRaw, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, JsValue, Status, ValueType};
use napi_derive::napi;
use serde_json::{Value, json};

use crate::convert::{self, from_js, key_to_js, to_js};
use crate::error;
use crate::post::{PostInput, PostSpec};
use crate::runtime::{abort_token, cancellable, spawn};
use crate::store::HostStore;

/// Connects creators' accounts and publishes to all of them at once.
#[napi]
#[derive(Debug)]
pub struct CreatorSync {
    inner: creatorsync_core::CreatorSync,
}

fn get<'a>(obj: &Object<'a>, name: &str) -> napi::Result<Option<Unknown<'a>>> {
    let v: Unknown<'a> = obj.get_named_property_unchecked(name)?;
    Ok(match v.get_type()? {
        ValueType::Undefined | ValueType::Null => None,
        _ => Some(v),
    })
}

fn string(v: Unknown<'_>, field: &str) -> Result<String> {
    if v.get_type().ok() != Some(ValueType::String) {
        return Err(Error::invalid_input(field, "must be a string"));
    }
    unsafe { v.cast::<String>() }.map_err(|e| Error::invalid_input(field, e.reason.clone()))
}

fn json(v: Unknown<'_>, field: &str) -> Result<Value> {
    unsafe { v.cast::<Value>() }.map_err(|e| Error::invalid_input(field, e.reason.clone()))
}

/// `{ x: { clientId, clientSecret, consumerKey, consumerSecret }, linkedin: {...}, ... }`
/// (snake_case keys as printed by the emulator work too), or `'emulator'`.
fn apps(v: Value) -> Result<Apps> {
    if v.as_str() == Some("emulator") {
        return Ok(Apps::emulator_defaults());
    }
    let Value::Object(map) = convert::snake(v) else {
        return Err(Error::invalid_input(
            "apps",
            "an object keyed by platform, or 'emulator'",
        ));
    };
    let mut apps = Apps::new();
    for (name, app) in map {
        let platform = convert::platform(&name)?;
        let field = |k: &str| app.get(k).and_then(Value::as_str).map(str::to_owned);
        if let Some(id) = field("client_id") {
            let creds = match field("client_secret") {
                Some(secret) => AppCredentials::new(id, secret),
                None => AppCredentials::public(id),
            };
            apps = apps.with(platform, creds);
        }
        if platform == Platform::X
            && let (Some(k), Some(s)) = (field("consumer_key"), field("consumer_secret"))
        {
            apps = apps.with_x_consumer(ConsumerCredentials::new(k, s));
        }
    }
    Ok(apps)
}

/// `{ x: { auth, token, api, upload }, ... }`; missing platforms keep
/// their production hosts. Keys other than platforms (`control`, `apps`
/// from the emulator's line) are ignored.
fn endpoints(v: Value) -> Result<EndpointSet> {
    let Value::Object(map) = v else {
        return Err(Error::invalid_input(
            "endpoints",
            "an object keyed by platform",
        ));
    };
    let mut set = EndpointSet::production();
    for (name, e) in map {
        let Ok(platform) = convert::platform(&name) else {
            continue;
        };
        let e: Endpoints = serde_json::from_value(e)
            .map_err(|err| Error::invalid_input(format!("endpoints.{name}"), err.to_string()))?;
        set.set(platform, e);
    }
    Ok(set)
}

enum StoreChoice {
    Given(Arc<dyn TokenStore>),
    Sqlite(String, Option<KeyRing>),
    Postgres(String, KeyRing),
}

/// `{ key, keyId }` (base64 of 32 bytes, key id default `k1` as in the
/// core and Python; no key: `CREATORSYNC_KEY`).
fn key_ring(v: &Value) -> Result<Option<KeyRing>> {
    match v.get("key").and_then(Value::as_str) {
        Some(k) => Ok(Some(KeyRing::from_base64(
            v.get("key_id").and_then(Value::as_str).unwrap_or("k1"),
            k,
        )?)),
        None => Ok(None),
    }
}

/// Reads the options object (JS thread).
fn builder(obj: &Object<'_>) -> Result<(creatorsync_core::CreatorSyncBuilder, StoreChoice)> {
    let napi_err = |e: napi::Error| Error::invalid_input("options", e.reason.clone());
    let mut b = creatorsync_core::CreatorSync::builder();
    if let Some(v) = get(obj, "apps").map_err(napi_err)? {
        b = b.apps(apps(json(v, "apps")?)?);
    }
    if let Some(v) = get(obj, "endpoints").map_err(napi_err)? {
        b = b.endpoints(endpoints(json(v, "endpoints")?)?);
    }
    let secret = get(obj, "stateSecret")
        .map_err(napi_err)?
        .ok_or_else(|| Error::Config("stateSecret (≥ 32 characters) is required".into()))?;
    b = b.state_secret(string(secret, "stateSecret")?.into_bytes());
    let postgres = get(obj, "postgres").map_err(napi_err)?;
    let sqlite = get(obj, "sqlite").map_err(napi_err)?;
    let given = get(obj, "store").map_err(napi_err)?;
    if [given.is_some(), sqlite.is_some(), postgres.is_some()]
        .iter()
        .filter(|x| **x)
        .count()
        > 1
    {
        return Err(Error::invalid_input(
            "store",
            "give one of `store`, `sqlite` or `postgres`",
        ));
    }
    let store = if let Some(s) = given {
        if s.get_type().ok() == Some(ValueType::String) {
            match string(s, "store")?.as_str() {
                "memory" => StoreChoice::Given(Arc::new(MemoryTokenStore::new())),
                other => {
                    return Err(Error::invalid_input(
                        "store",
                        format!("{other:?}: use 'memory', a store object, `sqlite` or `postgres`"),
                    ));
                }
            }
        } else {
            let o = s.coerce_to_object().map_err(napi_err)?;
            let host =
                HostStore::new(&o).map_err(|e| Error::invalid_input("store", e.reason.clone()))?;
            StoreChoice::Given(Arc::new(host))
        }
    } else if let Some(sq) = sqlite {
        let v = convert::snake(json(sq, "sqlite")?);
        let path = v
            .get("path")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::invalid_input("sqlite.path", "required"))?
            .to_owned();
        StoreChoice::Sqlite(path, key_ring(&v)?)
    } else if let Some(pg) = postgres {
        let v = convert::snake(json(pg, "postgres")?);
        let url = v
            .get("url")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::invalid_input("postgres.url", "required"))?
            .to_owned();
        let keys = match key_ring(&v)? {
            Some(k) => k,
            None => KeyRing::from_env()?,
        };
        StoreChoice::Postgres(url, keys)
    } else {
        StoreChoice::Given(Arc::new(MemoryTokenStore::new()))
    };
    Ok((b, store))
}

fn key(user_id: String, platform: &str, account_id: String) -> Result<AccountKey> {
    AccountKey::new(user_id, convert::platform(platform)?, account_id)
}

/// Publish options.
#[napi(object, object_to_js = false)]
pub struct PublishOptions {
    /// Platforms (`'x'`) or accounts (`{ platform, accountId }`); default:
    /// every connected account.
    #[napi(ts_type = "Array<Platform | { platform: Platform; accountId: string }>")]
    pub targets: Option<Vec<Value>>,
    /// Reuse it to retry without double posting (default: a new one,
    /// returned in the report).
    pub idempotency_key: Option<String>,
    /// Publish to the targets the post is valid for; report the others.
    pub valid_targets_only: Option<bool>,
}

type ProgressTsfn = ThreadsafeFunction<Value, Unknown<'static>, Value, Status, false, true>;

fn targets(list: Vec<Value>) -> Result<Vec<Target>> {
    list.into_iter()
        .map(|t| match t {
            Value::String(s) => Ok(Target::Platform(convert::platform(&s)?)),
            Value::Object(o) => {
                let platform = o
                    .get("platform")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Error::invalid_input("targets", "a target needs `platform`"))?;
                let platform = convert::platform(platform)?;
                match o.get("accountId").and_then(Value::as_str) {
                    Some(a) => Ok(Target::Account {
                        platform,
                        account_id: a.to_owned(),
                    }),
                    None => Ok(Target::Platform(platform)),
                }
            }
            _ => Err(Error::invalid_input(
                "targets",
                "a platform name or { platform, accountId }",
            )),
        })
        .collect()
}

/// The report as a plain object (results in target order, plus the seed
/// system's per-platform `legacy` shape).
fn report_to_js(r: &PublishReport) -> Value {
    let results: Vec<Value> = r
        .results
        .iter()
        .map(|t| {
            let (post_id, url, err) = match &t.outcome {
                Ok(p) => (json!(p.post_id), json!(p.url), Value::Null),
                Err(e) => (Value::Null, Value::Null, error::to_plain(e)),
            };
            json!({
                "platform": t.account.platform.as_str(),
                "accountId": t.account.account_id,
                "ok": t.outcome.is_ok(),
                "postId": post_id,
                "url": url,
                "error": err,
                "reused": t.reused,
                "elapsedMs": t.elapsed.as_secs_f64() * 1000.0,
            })
        })
        .collect();
    json!({
        "idempotencyKey": r.idempotency_key,
        "allOk": r.all_ok(),
        "results": results,
        "legacy": serde_json::to_value(r.legacy()).unwrap_or(Value::Null),
        "elapsedMs": r.elapsed.as_secs_f64() * 1000.0,
    })
}

#[napi]
impl CreatorSync {
    /// Builds a client: `apps` (per platform, or `'emulator'`),
    /// `endpoints` (default: production), `stateSecret` (≥ 32 chars, the
    /// same on every worker), `store` (`'memory'` — the default —, or any
    /// object with async get/put/list/delete) or `sqlite: { path, key }`
    /// (encrypted file store; `key` base64 of 32 bytes, default
    /// `CREATORSYNC_KEY`) or `postgres: { url, key, keyId }` (encrypted
    /// tokens and the publish log in PostgreSQL, shared by every worker).
    #[napi(
        ts_args_type = "options: CreatorSyncOptions",
        ts_return_type = "Promise<CreatorSync>"
    )]
    pub fn create<'env>(
        env: &'env Env,
        options: Object<'env>,
    ) -> napi::Result<PromiseRaw<'env, CreatorSync>> {
        // Bad options reject the promise (never throw synchronously).
        let parsed = builder(&options);
        spawn(
            env,
            async move {
                let (b, store) = parsed?;
                let b = match store {
                    StoreChoice::Given(s) => b.store(s),
                    StoreChoice::Sqlite(path, keys) => b.sqlite(path, keys),
                    StoreChoice::Postgres(url, keys) => {
                        let store = PostgresTokenStore::connect(&url, keys).await?;
                        let log = store.publish_log();
                        b.store(Arc::new(store)).publish_log(Arc::new(log))
                    }
                };
                b.build().await
            },
            |inner| CreatorSync { inner },
        )
    }

    /// Starts a connect: the URL to send the user to, and the signed
    /// `state`. For X, `{ oauth1: true }` runs OAuth 1.0a instead of
    /// OAuth 2.0 PKCE.
    #[napi(
        ts_args_type = "userId: string, platform: Platform, redirectUri: string, options?: { oauth1?: boolean }",
        ts_return_type = "Promise<AuthorizationRequest>"
    )]
    pub fn connect_begin<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        platform: String,
        redirect_uri: String,
        options: Option<Value>,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let sync = self.inner.clone();
        let oauth1 = options
            .as_ref()
            .and_then(|o| o.get("oauth1"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        spawn(
            env,
            async move {
                let platform = convert::platform(&platform)?;
                let c = sync.connector();
                if oauth1 {
                    if platform != Platform::X {
                        return Err(Error::invalid_input("oauth1", "OAuth 1.0a is for X only"));
                    }
                    c.begin_oauth1(&user_id, &redirect_uri).await
                } else {
                    c.begin(&user_id, platform, &redirect_uri).await
                }
            },
            |r| json!({ "url": r.url.as_str(), "state": r.state }),
        )
    }

    /// Completes a connect with the callback's `code` and `state`; returns
    /// the connected accounts (LinkedIn: member + organizations; Facebook:
    /// pages; Instagram: professional accounts).
    #[napi(
        ts_args_type = "userId: string, platform: Platform, code: string, state: string",
        ts_return_type = "Promise<Account[]>"
    )]
    pub fn connect_complete<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        platform: String,
        code: String,
        state: String,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let sync = self.inner.clone();
        spawn(
            env,
            async move {
                let platform = convert::platform(&platform)?;
                sync.connector()
                    .complete(&user_id, platform, &code, &state)
                    .await
            },
            |accounts| to_js(&accounts),
        )
    }

    /// Completes a connect from the full callback URL (handles denial and
    /// X's OAuth 1.0a callbacks too).
    #[napi(
        ts_args_type = "userId: string, platform: Platform, callbackUrl: string",
        ts_return_type = "Promise<Account[]>"
    )]
    pub fn connect_complete_from_url<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        platform: String,
        callback_url: String,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let sync = self.inner.clone();
        spawn(
            env,
            async move {
                let platform = convert::platform(&platform)?;
                sync.connector()
                    .complete_from_url(&user_id, platform, &callback_url)
                    .await
            },
            |accounts| to_js(&accounts),
        )
    }

    /// Every account of the user with its status (from the store).
    #[napi(ts_return_type = "Promise<AccountStatus[]>")]
    pub fn status<'env>(
        &self,
        env: &'env Env,
        user_id: String,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let sync = self.inner.clone();
        spawn(
            env,
            async move { sync.tokens().status(&user_id).await },
            |s| to_js(&s),
        )
    }

    /// Checks every account live (a usable token, then a profile read).
    #[napi(ts_return_type = "Promise<AccountHealth[]>")]
    pub fn health<'env>(
        &self,
        env: &'env Env,
        user_id: String,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let sync = self.inner.clone();
        spawn(
            env,
            async move { sync.tokens().health(&user_id).await },
            |list| {
                Value::Array(
                    list.iter()
                        .map(|h| {
                            json!({
                                "key": key_to_js(&h.key),
                                "healthy": h.healthy,
                                "error": h.error.as_ref().map_or(Value::Null, error::to_plain),
                            })
                        })
                        .collect(),
                )
            },
        )
    }

    /// Accounts whose access ends within `days` unless the user reconnects.
    #[napi(ts_return_type = "Promise<Account[]>")]
    pub fn expiring_within<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        days: u32,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let sync = self.inner.clone();
        spawn(
            env,
            async move { sync.tokens().expiring_within(&user_id, days).await },
            |a| to_js(&a),
        )
    }

    /// Revokes (best effort) and forgets one account, or every account of
    /// the platform when `accountId` is omitted. Resolves the number of
    /// accounts removed.
    #[napi(
        ts_args_type = "userId: string, platform: Platform, accountId?: string",
        ts_return_type = "Promise<number>"
    )]
    pub fn disconnect<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        platform: String,
        account_id: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, u32>> {
        let sync = self.inner.clone();
        spawn(
            env,
            async move {
                let keys = match account_id {
                    Some(a) => vec![key(user_id, &platform, a)?],
                    None => {
                        let p = convert::platform(&platform)?;
                        sync.tokens()
                            .store()
                            .list(&user_id)
                            .await?
                            .into_iter()
                            .map(|t| t.key)
                            .filter(|k| k.platform == p)
                            .collect()
                    }
                };
                let mut removed = 0u32;
                for k in keys {
                    if sync.tokens().disconnect(&k).await? {
                        removed += 1;
                    }
                }
                Ok(removed)
            },
            |n| n,
        )
    }

    /// Publishes `post` to every connected account (or `targets`) at once.
    /// Resolves a report (never rejects for a single target's failure:
    /// see `results[i].error`); rejects with `INVALID_POST` (every
    /// violation, before any request), `CANCELLED` when `signal` aborts,
    /// or a store/config error.
    #[napi(
        ts_args_type = "userId: string, post: PostInput, options?: PublishOptions & { onProgress?: (event: ProgressEvent) => void; signal?: AbortSignal }",
        ts_return_type = "Promise<PublishReport>"
    )]
    pub fn publish<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        post: PostInput,
        options: Option<Object<'env>>,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        // Bad input rejects the promise (never throws synchronously), before
        // any request.
        let spec = PostSpec::read(post);
        let mut bad_input = None;
        let mut opts = PublishOptions {
            targets: None,
            idempotency_key: None,
            valid_targets_only: None,
        };
        let mut progress: Option<ProgressTsfn> = None;
        let mut signal = None;
        if let Some(o) = options {
            // Read field by field: the object also holds a function and an AbortSignal.
            if let Some(v) = get(&o, "targets")? {
                opts.targets = unsafe { v.cast::<Value>() }?.as_array().cloned();
            }
            if let Some(v) = get(&o, "idempotencyKey")? {
                opts.idempotency_key = Some(unsafe { v.cast::<String>() }?);
            }
            if let Some(v) = get(&o, "validTargetsOnly")? {
                opts.valid_targets_only = Some(unsafe { v.cast::<bool>() }?);
            }
            if let Some(f) = get(&o, "onProgress")? {
                if f.get_type()? == ValueType::Function {
                    let f: napi::bindgen_prelude::Function<'_, Value, Unknown<'static>> =
                        unsafe { f.cast()? };
                    progress = Some(
                        f.build_threadsafe_function::<Value>()
                            .callee_handled::<false>()
                            .weak::<true>()
                            .build()?,
                    );
                } else {
                    bad_input = Some(Error::invalid_input("onProgress", "must be a function"));
                }
            }
            if let Some(s) = get(&o, "signal")? {
                signal = Some(s.coerce_to_object()?);
            }
        }
        let token = abort_token(env, signal)?;
        let targets = targets(opts.targets.unwrap_or_default());
        let sync = self.inner.clone();
        spawn(
            env,
            cancellable(token, async move {
                if let Some(e) = bad_input {
                    return Err(e);
                }
                let (spec, targets) = (spec?, targets?);
                let post = spec.build().await?;
                let mut call = sync.publish(&user_id, &post).targets(targets);
                if let Some(k) = opts.idempotency_key {
                    call = call.idempotency_key(k);
                }
                if opts.valid_targets_only.unwrap_or(false) {
                    call = call.valid_targets_only();
                }
                if let Some(tsfn) = progress {
                    let tsfn = Arc::new(tsfn);
                    call = call.on_progress(move |event| {
                        // NonBlocking: a slow listener never stalls an upload.
                        let _ = tsfn.call(to_js(event), ThreadsafeFunctionCallMode::NonBlocking);
                    });
                }
                call.await
            }),
            |r| report_to_js(&r),
        )
    }
}

/// Parses and checks a key object (for hosts that build keys in JS).
#[napi(ts_args_type = "key: AccountKey", ts_return_type = "AccountKey")]
pub fn account_key(env: Env, key: Value) -> napi::Result<Value> {
    let k: AccountKey = from_js("key", key).map_err(|e| error::to_js(&env, &e))?;
    Ok(key_to_js(&k))
}
