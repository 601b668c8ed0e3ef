//! The options object of `CreatorSync.create`: apps, endpoints, state
//! secret and the store (`store`, `sqlite` or `postgres`), read on the JS
//! thread; the store is opened inside the create future.

use std::sync::Arc;
use std::time::Duration;

use creatorsync_core::auth::{AppCredentials, Apps, ConsumerCredentials};
use creatorsync_core::{
    CreatorSyncBuilder, DEFAULT_STORE_TIMEOUT, EndpointSet, Endpoints, Error, KeyRing,
    MemoryTokenStore, Platform, PostgresOptions, PostgresTokenStore, Result, TimeoutStore,
    TokenStore,
};
use napi::bindgen_prelude::{JsObjectValue, Object, Unknown};
use napi::{JsValue, ValueType};
use serde_json::Value;

use crate::convert;
use crate::store::HostStore;

pub(crate) fn get<'a>(obj: &Object<'a>, name: &str) -> napi::Result<Option<Unknown<'a>>> {
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
/// (snake_case keys as printed by the emulator work too), or `'emulator'`;
/// `instagramLogin` (the Instagram app) makes Instagram connect with
/// Instagram Login.
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
        let field = |k: &str| app.get(k).and_then(Value::as_str).map(str::to_owned);
        if let Some(id) = field("client_id") {
            let creds = match field("client_secret") {
                Some(secret) => AppCredentials::new(id, secret),
                None => AppCredentials::public(id),
            };
            apps = apps.with_named(&name, creds)?;
        }
        if convert::platform(&name).is_ok_and(|p| p == Platform::X)
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

pub(crate) enum StoreChoice {
    Given(Arc<dyn TokenStore>),
    Sqlite(String, Option<KeyRing>),
    Postgres(String, KeyRing, PostgresOptions),
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

/// `maxConnections` (the pool size of this process, default 10) and
/// `acquireTimeoutMs` (how long a call waits for a free connection,
/// default 30 000) of the `postgres` option, checked before connecting.
fn pool_options(v: &Value) -> Result<PostgresOptions> {
    let mut options = PostgresOptions::default();
    if let Some(n) = v.get("max_connections").filter(|n| !n.is_null()) {
        let n = n
            .as_f64()
            .filter(|n| n.fract() == 0.0 && (1.0..=10_000.0).contains(n))
            .ok_or_else(|| {
                Error::invalid_input("postgres.maxConnections", "an integer from 1 to 10000")
            })?;
        options = options.max_connections(n as u32);
    }
    if let Some(ms) = v.get("acquire_timeout_ms").filter(|n| !n.is_null()) {
        let ms = ms
            .as_f64()
            .filter(|ms| ms.is_finite() && *ms > 0.0)
            .ok_or_else(|| {
                Error::invalid_input(
                    "postgres.acquireTimeoutMs",
                    "a positive number of milliseconds",
                )
            })?;
        options = options.acquire_timeout(std::time::Duration::from_secs_f64(ms / 1000.0));
    }
    Ok(options)
}

/// `storeTimeoutMs`: the limit on each call of a host store (default: the
/// core's `DEFAULT_STORE_TIMEOUT`, 30 s), validated by the core.
fn store_timeout(v: Option<Unknown<'_>>) -> Result<Duration> {
    const FIELD: &str = "storeTimeoutMs";
    let Some(v) = v else {
        return Ok(DEFAULT_STORE_TIMEOUT);
    };
    if v.get_type().ok() != Some(ValueType::Number) {
        return Err(Error::invalid_input(
            FIELD,
            "must be a number of milliseconds",
        ));
    }
    let ms =
        unsafe { v.cast::<f64>() }.map_err(|e| Error::invalid_input(FIELD, e.reason.clone()))?;
    TimeoutStore::<MemoryTokenStore>::limit_from_secs(FIELD, ms / 1000.0)
}

/// Reads the options object (JS thread).
pub(crate) fn builder(obj: &Object<'_>) -> Result<(CreatorSyncBuilder, StoreChoice)> {
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
            StoreChoice::Given(Arc::new(TimeoutStore::new(
                host,
                store_timeout(get(obj, "storeTimeoutMs").map_err(napi_err)?)?,
            )?))
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
        StoreChoice::Postgres(url, keys, pool_options(&v)?)
    } else {
        StoreChoice::Given(Arc::new(MemoryTokenStore::new()))
    };
    Ok((b, store))
}

impl StoreChoice {
    /// Opens the chosen store (the create future) and hands it to `b`.
    pub(crate) async fn apply(self, b: CreatorSyncBuilder) -> Result<CreatorSyncBuilder> {
        Ok(match self {
            StoreChoice::Given(s) => b.store(s),
            StoreChoice::Sqlite(path, keys) => b.sqlite(path, keys),
            StoreChoice::Postgres(url, keys, options) => b.postgres_store(Arc::new(
                PostgresTokenStore::connect_with(&url, keys, options).await?,
            )),
        })
    }
}
