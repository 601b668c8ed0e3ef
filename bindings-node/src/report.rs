//! Publish options as read from JS, and the report as a plain object (the
//! core's view, camelCased).

use creatorsync_core::PublishReport;
use creatorsync_core::contract::{camel_keys, views};
use napi::Status;
use napi::bindgen_prelude::Unknown;
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;
use serde_json::Value;

/// Publish options.
#[napi(object, object_to_js = false)]
pub struct PublishOptions {
    /// Platforms (`'x'`, `'facebook:1001'`) or accounts (`{ platform,
    /// accountId }`); default: every connected account.
    #[napi(ts_type = "Array<TargetInput>")]
    pub targets: Option<Vec<Value>>,
    /// Reuse it to retry without double posting (default: a new one,
    /// returned in the report).
    pub idempotency_key: Option<String>,
    /// Publish to the targets the post is valid for; report the others.
    pub valid_targets_only: Option<bool>,
    /// `'pad'` or `'crop'`: fix media a target would refuse (images padded
    /// or cropped into its aspect ratio and under its byte limit, MP4s
    /// moved to faststart) instead of rejecting; default `'off'`.
    #[napi(ts_type = "FitMode")]
    pub fit: Option<String>,
}

pub(crate) type ProgressTsfn =
    ThreadsafeFunction<Value, Unknown<'static>, Value, Status, false, true>;

/// The report as a plain object: the core's `ReportView`, camelCased.
pub(crate) fn report_to_js(r: &PublishReport) -> Value {
    camel_keys(views::report_json(r))
}
