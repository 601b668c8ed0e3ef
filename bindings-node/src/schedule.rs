//! `Scheduler` (from `sync.scheduler()`): scheduled and bulk publishing,
//! and the in-process worker, in the contract's shapes (camelCase here).
//!
//! ```js
//! const sched = sync.scheduler()
//! const id = await sched.schedule('user-1', { text: 'Hi' }, { local: '2026-12-24T09:00', zone: 'Europe/Berlin' })
//! const stop = new AbortController()
//! const worker = sched.run({ signal: stop.signal })
//! // ...
//! stop.abort(); await worker   // finishes the jobs it runs, then resolves
//! ```

use creatorsync_core::contract::PostSpec;
use creatorsync_core::contract::schedule as contract;
use creatorsync_core::{Error, Result};
use napi::bindgen_prelude::{JsObjectValue, Object, PromiseRaw, Unknown};
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;
use serde_json::{Map, Value};

use crate::client::CreatorSync;
use crate::convert::camel;
use crate::options::{entries, get, json};
use crate::post;
use crate::runtime::{abort_token, spawn};

/// Schedules posts for later and runs the worker that publishes them when
/// due. Get one with `sync.scheduler()`; it shares the client.
#[napi]
#[derive(Debug)]
pub struct Scheduler {
    inner: creatorsync_core::schedule::Scheduler,
}

#[napi]
impl CreatorSync {
    /// Scheduled and bulk publishing, and the in-process worker.
    #[napi]
    pub fn scheduler(&self) -> Scheduler {
        Scheduler {
            inner: self.inner.scheduler(),
        }
    }
}

#[napi]
impl Scheduler {
    /// Schedules `post` (as `publish` takes it; media must be files or
    /// URLs) for `userId` at `at`: RFC 3339 text or a `Date` (an instant),
    /// or `{ local: '2026-12-24T09:00', zone: 'Europe/Berlin' }` (that
    /// wall-clock time in that zone, DST-correct). Every violation of every
    /// target and every quota certain to be used up then reject now
    /// (`INVALID_POST`, `QUOTA_EXHAUSTED`). Resolves the schedule id.
    #[napi(
        ts_args_type = "userId: string, post: PostInput | LegacyPostBody, at: ScheduleAt, options?: ScheduleOptions",
        ts_return_type = "Promise<string>"
    )]
    pub fn schedule<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        post: Unknown<'env>,
        at: Unknown<'env>,
        options: Option<Value>,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let spec = post::read(post);
        let at = at_json(at, "at");
        let s = self.inner.clone();
        spawn(
            env,
            async move {
                let (spec, at) = (spec?, at?);
                contract::schedule(&s, &user_id, spec, at, options.unwrap_or(Value::Null)).await
            },
            |v| v,
        )
    }

    /// Schedules many posts (`[{ userId, post, at, targets?,
    /// idempotencyKey?, native? }]`): `mode` `'all_or_nothing'` (the
    /// default: nothing unless every item passes) or `'valid_only'`.
    #[napi(
        ts_args_type = "items: BulkItem[], mode?: BulkMode",
        ts_return_type = "Promise<BulkReport>"
    )]
    pub fn schedule_many<'env>(
        &self,
        env: &'env Env,
        items: Unknown<'env>,
        mode: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let read = bulk_items(items);
        let s = self.inner.clone();
        spawn(
            env,
            async move {
                let mode = mode.map_or(Value::Null, Value::String);
                contract::schedule_many(&s, read?, mode).await
            },
            camel,
        )
    }

    /// One scheduled post.
    #[napi(ts_return_type = "Promise<ScheduledPost>")]
    pub fn get<'env>(&self, env: &'env Env, id: String) -> napi::Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        spawn(env, async move { contract::get(&s, id).await }, camel)
    }

    /// One page of scheduled posts by due time then id (`{ items, next }`;
    /// give `next` as `after` for the next page).
    #[napi(
        ts_args_type = "query?: ScheduleQuery",
        ts_return_type = "Promise<ScheduledPage>"
    )]
    pub fn list<'env>(
        &self,
        env: &'env Env,
        query: Option<Value>,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        spawn(
            env,
            async move { contract::list(&s, query.unwrap_or(Value::Null)).await },
            camel,
        )
    }

    /// Moves a post still scheduled to `at`; resolves its view.
    #[napi(
        ts_args_type = "id: string, at: ScheduleAt",
        ts_return_type = "Promise<ScheduledPost>"
    )]
    pub fn reschedule<'env>(
        &self,
        env: &'env Env,
        id: String,
        at: Unknown<'env>,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let at = at_json(at, "at");
        let s = self.inner.clone();
        spawn(
            env,
            async move { contract::reschedule(&s, id, at?).await },
            camel,
        )
    }

    /// Cancels a post that has not started; resolves its view.
    #[napi(ts_return_type = "Promise<ScheduledPost>")]
    pub fn cancel<'env>(
        &self,
        env: &'env Env,
        id: String,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        spawn(env, async move { contract::cancel(&s, id).await }, camel)
    }

    /// Runs a failed or outcome-unknown post again now (an open outcome is
    /// looked up at the platform before anything is created).
    #[napi(ts_return_type = "Promise<ScheduledPost>")]
    pub fn retry<'env>(&self, env: &'env Env, id: String) -> napi::Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        spawn(env, async move { contract::retry(&s, id).await }, camel)
    }

    /// Workers alive and the backlog.
    #[napi(ts_return_type = "Promise<SchedulerHealth>")]
    pub fn health<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, Value>> {
        let s = self.inner.clone();
        spawn(env, async move { contract::health(&s).await }, camel)
    }

    /// Runs a worker in this process until `signal` aborts: it publishes
    /// due posts and sends heartbeats; once aborted it finishes the jobs it
    /// runs, then the promise resolves. Without a signal it runs (and keeps
    /// the process alive) for good.
    #[napi(
        ts_args_type = "options?: { signal?: AbortSignal }",
        ts_return_type = "Promise<void>"
    )]
    pub fn run<'env>(
        &self,
        env: &'env Env,
        options: Option<Object<'env>>,
    ) -> napi::Result<PromiseRaw<'env, ()>> {
        let mut signal = None;
        let mut bad = None;
        if let Some(o) = options
            && let Some(s) = get(&o, "signal")?
        {
            if s.get_type()? == ValueType::Object {
                signal = Some(s.coerce_to_object()?);
            } else {
                bad = Some(Error::invalid_input("signal", "must be an AbortSignal"));
            }
        }
        let token = abort_token(env, signal)?;
        let s = self.inner.clone();
        spawn(
            env,
            async move {
                if let Some(e) = bad {
                    return Err(e);
                }
                s.run(async move { token.cancelled().await }).await
            },
            |()| (),
        )
    }
}

/// `at` as the contract's JSON: a `Date` as RFC 3339 text, anything else
/// as given (text or `{ local, zone }`; the core checks it).
fn at_json(at: Unknown<'_>, field: &str) -> Result<Value> {
    if at.is_date().unwrap_or(false) {
        let bad = || Error::invalid_input(field, "an invalid Date");
        let date = unsafe { at.cast::<napi::JsDate>() }.map_err(|_| bad())?;
        let ms = date.value_of().map_err(|_| bad())?;
        #[allow(clippy::cast_possible_truncation)]
        let t = chrono::DateTime::from_timestamp_millis(ms as i64).ok_or_else(bad)?;
        return Ok(Value::String(t.to_rfc3339()));
    }
    json(at, field)
}

/// The bulk items: each one's JSON without `post`, and its post read as
/// `publish` reads it (buffers included).
fn bulk_items(items: Unknown<'_>) -> Result<Vec<(Value, Option<PostSpec>)>> {
    let bad = || Error::invalid_input("items", "an array of { userId, post, at, ... }");
    if !items.is_array().unwrap_or(false) {
        return Err(bad());
    }
    let list: Object<'_> = unsafe { items.cast() }.map_err(|_| bad())?;
    let n = list.get_array_length().map_err(|_| bad())?;
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n {
        let field = format!("items[{i}]");
        let item: Unknown<'_> = list
            .get_element(i)
            .map_err(|e| Error::invalid_input(&field, e.reason))?;
        if item.get_type().ok() != Some(ValueType::Object) || item.is_array().unwrap_or(false) {
            return Err(Error::invalid_input(
                &field,
                "an object { userId, post, at, ... }",
            ));
        }
        let obj: Object<'_> =
            unsafe { item.cast() }.map_err(|e| Error::invalid_input(&field, e.reason))?;
        let mut map = Map::new();
        let mut spec = None;
        for (k, v) in entries(&obj).map_err(|e| Error::invalid_input(&field, e.reason))? {
            let f = format!("{field}.{k}");
            match k.as_str() {
                "post" => spec = Some(post::read(v).map_err(|e| contract::within(e, &field))?),
                "at" => {
                    map.insert(k, at_json(v, &f)?);
                }
                _ => {
                    map.insert(k, json(v, &f)?);
                }
            }
        }
        out.push((Value::Object(map), spec));
    }
    Ok(out)
}
