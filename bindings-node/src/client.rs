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
//! function (an exception the callback throws is caught and ignored); an `AbortSignal` drops the publish future (requests stop; the
//! publish log reconciles any target left pending on the next attempt with
//! the same idempotency key).

use std::sync::Arc;

use creatorsync_core::{AccountKey, Error, Platform, Result};
use napi::bindgen_prelude::{Object, PromiseRaw, Unknown};
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;
use serde_json::{Value, json};

use creatorsync_core::contract::{camel_keys, parse_targets, views};

use crate::convert::{self, from_js, key_to_js, to_js};
use crate::error;
use crate::options::{self, get};
use crate::post;
use crate::report::{ProgressTsfn, PublishOptions, report_to_js};
use crate::runtime::{abort_token, cancellable, spawn};

/// Connects creators' accounts and publishes to all of them at once.
#[napi]
#[derive(Debug)]
pub struct CreatorSync {
    pub(crate) inner: creatorsync_core::CreatorSync,
}

pub(crate) fn key(user_id: String, platform: &str, account_id: String) -> Result<AccountKey> {
    AccountKey::new(user_id, convert::platform(platform)?, account_id)
}

#[napi]
impl CreatorSync {
    /// Builds a client from the options of the core's contract (see
    /// `docs/bindings.md`): `apps` (per platform, or `'emulator'`),
    /// `endpoints` (default: production), `stateSecret` (≥ 32 chars, the
    /// same on every worker), `store` (`'memory'`, `'sqlite'` — the
    /// default, `creatorsync.db` with `CREATORSYNC_KEY` — or a key-value
    /// store object with async get/put/delete/list), `storeKeys` (sealing
    /// a store object's secrets), `sqlite: { path, key | keys }`,
    /// `postgres: { url, key | keys, maxConnections, acquireTimeoutMs }`,
    /// `storeTimeoutMs`, `concurrency`, `leaseTtlMs`, `mediaHost`,
    /// `apiVersions`. An unknown option rejects with `INVALID_INPUT`.
    #[napi(
        ts_args_type = "options: CreatorSyncOptions",
        ts_return_type = "Promise<CreatorSync>"
    )]
    pub fn create<'env>(
        env: &'env Env,
        options: Object<'env>,
    ) -> napi::Result<PromiseRaw<'env, CreatorSync>> {
        // Bad options reject the promise (never throw synchronously).
        let parsed = options::read(&options);
        spawn(
            env,
            async move {
                let (options, given) = parsed?;
                options.build(given).await
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
            |accounts| camel_keys(views::accounts_json(&accounts)),
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
            |accounts| camel_keys(views::accounts_json(&accounts)),
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
            |s| camel_keys(views::status_json(&s)),
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
            |list| camel_keys(views::health_json(&list)),
        )
    }

    /// Accounts whose access ends within `days` unless the user reconnects.
    /// `days` is a whole number; anything else (negative, fractional, NaN,
    /// Infinity, too large, not a number) rejects with `INVALID_INPUT`.
    #[napi(
        ts_args_type = "userId: string, days: number",
        ts_return_type = "Promise<Account[]>"
    )]
    pub fn expiring_within<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        days: Unknown<'env>,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let days = convert::integer::<i64>(days, "days");
        let sync = self.inner.clone();
        spawn(
            env,
            async move { sync.tokens().expiring_within(&user_id, days?).await },
            |a| camel_keys(views::accounts_json(&a)),
        )
    }

    /// Revokes the grant (when no sibling account shares it) and forgets
    /// one account, as the Rust API does. Resolves whether it was
    /// connected.
    #[napi(
        ts_args_type = "userId: string, platform: Platform, accountId: string",
        ts_return_type = "Promise<boolean>"
    )]
    pub fn disconnect<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        platform: String,
        account_id: String,
    ) -> napi::Result<PromiseRaw<'env, bool>> {
        let sync = self.inner.clone();
        spawn(
            env,
            async move {
                let k = key(user_id, &platform, account_id)?;
                sync.tokens().disconnect(&k).await
            },
            |removed| removed,
        )
    }

    /// Publishes `post` to every connected account (or `targets`) at once.
    /// Resolves a report (never rejects for a single target's failure:
    /// see `results[i].error`); rejects with `INVALID_POST` (every
    /// violation, before any request), `CANCELLED` when `signal` aborts,
    /// or a store/config error.
    #[napi(
        ts_args_type = "userId: string, post: PostInput | LegacyPostBody, options?: PublishOptions & { onProgress?: (event: ProgressEvent) => void; signal?: AbortSignal }",
        ts_return_type = "Promise<PublishReport>"
    )]
    pub fn publish<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        post: Unknown<'env>,
        options: Option<Object<'env>>,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        // Bad input rejects the promise (never throws synchronously), before
        // any request.
        let spec = post::read(post);
        let mut bad_input = None;
        let mut opts = PublishOptions {
            targets: None,
            idempotency_key: None,
            valid_targets_only: None,
            fit: None,
        };
        let mut progress: Option<ProgressTsfn> = None;
        let mut signal = None;
        if let Some(o) = options {
            // Read field by field: the object also holds a function and an AbortSignal.
            if let Some(v) = get(&o, "targets")? {
                match unsafe { v.cast::<Value>() } {
                    Ok(Value::Array(list)) => opts.targets = Some(list),
                    _ => {
                        bad_input.get_or_insert(Error::invalid_input(
                            "targets",
                            "must be an array of platforms or { platform, accountId }",
                        ));
                    }
                }
            }
            if let Some(v) = get(&o, "idempotencyKey")? {
                if v.get_type()? == ValueType::String {
                    opts.idempotency_key = Some(unsafe { v.cast::<String>() }?);
                } else {
                    bad_input
                        .get_or_insert(Error::invalid_input("idempotencyKey", "must be a string"));
                }
            }
            if let Some(v) = get(&o, "validTargetsOnly")? {
                if v.get_type()? == ValueType::Boolean {
                    opts.valid_targets_only = Some(unsafe { v.cast::<bool>() }?);
                } else {
                    bad_input.get_or_insert(Error::invalid_input(
                        "validTargetsOnly",
                        "must be a boolean",
                    ));
                }
            }
            if let Some(v) = get(&o, "fit")? {
                if v.get_type()? == ValueType::String {
                    opts.fit = Some(unsafe { v.cast::<String>() }?);
                } else {
                    bad_input.get_or_insert(Error::invalid_input(
                        "fit",
                        "must be 'off', 'pad' or 'crop'",
                    ));
                }
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
                    bad_input
                        .get_or_insert(Error::invalid_input("onProgress", "must be a function"));
                }
            }
            if let Some(s) = get(&o, "signal")? {
                if s.get_type()? == ValueType::Object {
                    signal = Some(s.coerce_to_object()?);
                } else {
                    bad_input
                        .get_or_insert(Error::invalid_input("signal", "must be an AbortSignal"));
                }
            }
        }
        let token = abort_token(env, signal)?;
        let targets = parse_targets(opts.targets.map_or(Value::Null, Value::Array));
        let sync = self.inner.clone();
        spawn(
            env,
            cancellable(token, async move {
                if let Some(e) = bad_input {
                    return Err(e);
                }
                let (spec, targets) = (spec?, targets?);
                let fit: creatorsync_core::media::FitMode = match opts.fit {
                    Some(f) => creatorsync_core::contract::parse("fit", f.into())?,
                    None => Default::default(),
                };
                let post = spec.build().await?;
                let mut call = sync.publish(&user_id, &post).targets(targets).fit(fit);
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
                        // The listener's exception is caught here (an
                        // uncaught one would end the Node process) and
                        // ignored, as Python's loop does: the publish goes on.
                        let _ = tsfn.call_with_return_value(
                            to_js(event),
                            ThreadsafeFunctionCallMode::NonBlocking,
                            |_thrown_or_returned, _env| Ok(()),
                        );
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
