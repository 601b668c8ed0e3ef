//! `CreatorSync` analytics: the metrics of published posts and their
//! stored history, in the contract's shapes (camelCase here; a metric the
//! platform does not report is `null`, never 0).
//!
//! ```js
//! const results = await sync.metrics('user-1', report.results) // [{ platform, postId, ok, metrics, error }]
//! const history = await sync.metricsHistory('user-1', { platform: 'x', postId }, since)
//! ```

use creatorsync_core::contract::metrics;
use creatorsync_core::{Error, Result};
use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::{Env, JsDate, JsValue, ValueType};
use napi_derive::napi;
use serde_json::Value;

use crate::client::CreatorSync;
use crate::convert::camel;
use crate::runtime::spawn;

#[napi]
impl CreatorSync {
    /// The metrics of published posts (`{ platform, postId, accountId? }`
    /// each; a publish report's `results` fit as they are), one result per
    /// post in order.
    #[napi(
        ts_args_type = "userId: string, posts: PostRef[]",
        ts_return_type = "Promise<MetricsResult[]>"
    )]
    pub fn metrics<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        posts: Value,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let sync = self.inner.clone();
        spawn(
            env,
            async move {
                let posts = metrics::parse_post_refs(posts)?;
                sync.metrics(&user_id, &posts).await
            },
            |all| camel(metrics::results_json(&all)),
        )
    }

    /// The stored snapshots of one post, oldest first, between `since` and
    /// `until` (a `Date` or RFC 3339 text; omitted: open).
    #[napi(
        ts_args_type = "userId: string, post: PostRef, since?: Date | string | null, until?: Date | string | null",
        ts_return_type = "Promise<PostMetrics[]>"
    )]
    pub fn metrics_history<'env>(
        &self,
        env: &'env Env,
        user_id: String,
        post: Value,
        since: Option<Unknown<'_>>,
        until: Option<Unknown<'_>>,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let sync = self.inner.clone();
        let since = time_text(since, "since");
        let until = time_text(until, "until");
        spawn(
            env,
            async move {
                let (since, until) = (since?, until?);
                metrics::history(&sync, &user_id, post, since.as_deref(), until.as_deref()).await
            },
            camel,
        )
    }
}

/// A time bound as RFC 3339 text: a `Date` through its time value, text
/// as given (checked by the core's parser); null or undefined: open.
fn time_text(v: Option<Unknown<'_>>, field: &str) -> Result<Option<String>> {
    let bad = || Error::invalid_input(field, "a Date or RFC 3339 text");
    let Some(v) = v else { return Ok(None) };
    match v.get_type().map_err(|_| bad())? {
        ValueType::Null | ValueType::Undefined => Ok(None),
        ValueType::String => unsafe { v.cast::<String>() }.map(Some).map_err(|_| bad()),
        _ if v.is_date().unwrap_or(false) => {
            let date = unsafe { v.cast::<JsDate>() }.map_err(|_| bad())?;
            let ms = date.value_of().map_err(|_| bad())?;
            #[allow(clippy::cast_possible_truncation)]
            let at = chrono::DateTime::from_timestamp_millis(ms as i64).ok_or_else(bad)?;
            Ok(Some(at.to_rfc3339()))
        }
        _ => Err(bad()),
    }
}
