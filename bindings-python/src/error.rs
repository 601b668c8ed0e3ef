//! The exception hierarchy, declared once, and the one mapping from
//! [`creatorsync_core::Error`] into it (and back, for host stores).
//!
//! ```text
//! CreatorSyncError(Exception)            .code, .platform, .retryable
//! ├── NotConnected                       .user_id, .account
//! ├── ReauthRequired                     .account
//! ├── RateLimited                        .retry_after (seconds, float | None)
//! │   └── QuotaExhausted                 .bucket, .limit, .resets_at (aware datetime)
//! ├── InvalidInput(…, ValueError)        .field
//! │   ├── InvalidPost                    .violations (list of dicts)
//! │   └── InvalidMedia
//! ├── MediaRejected                      .reason
//! ├── Duplicate
//! ├── PlatformError                      .status, .platform_code, .body
//! ├── AuthorizationDenied                .error, .description
//! ├── InvalidState                       .problem
//! ├── TransportError                     .maybe_sent, .timeout
//! ├── Conflict                           .current_version
//! ├── StoreError
//! ├── KeyError_                          (exported as `KeyMismatch`)
//! ├── ConfigError
//! ├── TimeoutError_                      (exported as `OperationTimeout`)
//! ├── Cancelled
//! ├── InProgress                         .retry_after
//! ├── CreatedUnfinished                  .post_id, .url, .cause_code
//! └── OutcomeUnknown                     .cause_code
//! ```
//!
//! Messages come from the core's `Display`, which never contains secrets.

use creatorsync_core::{Error, Violation};
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::convert::json_to_py;

pyo3::create_exception!(
    creatorsync,
    CreatorSyncError,
    PyException,
    "Base class of every CreatorSync error. `code` is a stable string (e.g. `RATE_LIMITED`); `platform` names the platform when there is one; `retryable` says whether trying again later may succeed."
);
pyo3::create_exception!(
    creatorsync,
    NotConnected,
    CreatorSyncError,
    "No account is connected for this user and platform: run the connect flow first."
);
pyo3::create_exception!(
    creatorsync,
    ReauthRequired,
    CreatorSyncError,
    "The stored token can no longer be used (revoked, expired, refresh refused): the user must reconnect."
);
pyo3::create_exception!(
    creatorsync,
    RateLimited,
    CreatorSyncError,
    "The platform throttled the request; `retry_after` is the wait in seconds when known."
);
pyo3::create_exception!(
    creatorsync,
    QuotaExhausted,
    RateLimited,
    "A platform quota is used up (`bucket`, `limit` when documented); nothing was sent for this target. `resets_at` (an aware datetime, UTC) is when a slot frees up again; never retried by the SDK."
);
pyo3::create_exception!(
    creatorsync,
    InvalidInput,
    CreatorSyncError,
    "A caller-supplied value is malformed (`field` names it). Also a `ValueError`."
);
pyo3::create_exception!(
    creatorsync,
    InvalidPost,
    InvalidInput,
    "The post breaks platform rules; `violations` lists every one, found before any request."
);
pyo3::create_exception!(
    creatorsync,
    InvalidMedia,
    InvalidInput,
    "A media source cannot be used (missing or empty file, unknown type, refused URL)."
);
pyo3::create_exception!(
    creatorsync,
    MediaRejected,
    CreatorSyncError,
    "The platform accepted the upload but refused the media (processing failed, unsupported format)."
);
pyo3::create_exception!(
    creatorsync,
    Duplicate,
    CreatorSyncError,
    "The platform refused the post as a duplicate of an earlier one."
);
pyo3::create_exception!(
    creatorsync,
    PlatformError,
    CreatorSyncError,
    "Any other error answer from a platform: `status` (HTTP), `platform_code`, `body` (redacted); also `unexpected_response` (an answer the SDK cannot use) and `unsupported` (an operation the platform does not offer)."
);
pyo3::create_exception!(
    creatorsync,
    AuthorizationDenied,
    CreatorSyncError,
    "The user or the platform refused the OAuth authorization (`error`, `description`)."
);
pyo3::create_exception!(
    creatorsync,
    InvalidState,
    CreatorSyncError,
    "The OAuth `state` of a callback was refused (`problem`: tampered, expired, replayed, wrong_user, wrong_platform)."
);
pyo3::create_exception!(
    creatorsync,
    TransportError,
    CreatorSyncError,
    "Network or protocol failure; `maybe_sent` says whether the request may have reached the server."
);
pyo3::create_exception!(
    creatorsync,
    Conflict,
    CreatorSyncError,
    "A compare-and-swap store write found another version; `current_version` is the stored version (None: no record). Host stores raise `Conflict(message, current_version)`."
);
pyo3::create_exception!(
    creatorsync,
    StoreError,
    CreatorSyncError,
    "The token store or publish log failed."
);
pyo3::create_exception!(
    creatorsync,
    KeyMismatch,
    CreatorSyncError,
    "A stored credential cannot be decrypted with the configured keys (`key_id`)."
);
pyo3::create_exception!(
    creatorsync,
    ConfigError,
    CreatorSyncError,
    "CreatorSync is misconfigured (missing app credentials, bad endpoints, short state secret)."
);
pyo3::create_exception!(
    creatorsync,
    OperationTimeout,
    CreatorSyncError,
    "Something did not finish in time (media processing, a poll deadline)."
);
pyo3::create_exception!(
    creatorsync,
    Cancelled,
    CreatorSyncError,
    "The operation was cancelled."
);
pyo3::create_exception!(
    creatorsync,
    InProgress,
    CreatorSyncError,
    "Another call is publishing this target with the same idempotency key; nothing was sent."
);
pyo3::create_exception!(
    creatorsync,
    CreatedUnfinished,
    CreatorSyncError,
    "The post was created (post_id) but a step after the create failed; publish again with the same key to finish."
);
pyo3::create_exception!(
    creatorsync,
    OutcomeUnknown,
    CreatorSyncError,
    "The create may have reached the platform; publish again with the same key, which looks the post up first."
);

/// Registers every exception on the module and makes `InvalidInput` a
/// `ValueError` too (its MRO: InvalidInput, CreatorSyncError, ValueError).
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    macro_rules! add {
        ($($t:ident),*) => { $( m.add(stringify!($t), py.get_type::<$t>())?; )* };
    }
    add!(
        CreatorSyncError,
        NotConnected,
        ReauthRequired,
        RateLimited,
        QuotaExhausted,
        InvalidInput,
        InvalidPost,
        InvalidMedia,
        MediaRejected,
        Duplicate,
        PlatformError,
        AuthorizationDenied,
        InvalidState,
        TransportError,
        Conflict,
        StoreError,
        KeyMismatch,
        ConfigError,
        OperationTimeout,
        Cancelled,
        InProgress,
        CreatedUnfinished,
        OutcomeUnknown
    );
    let bases = PyTuple::new(
        py,
        [
            py.get_type::<CreatorSyncError>().into_any(),
            py.get_type::<PyValueError>().into_any(),
        ],
    )?;
    py.get_type::<InvalidInput>().setattr("__bases__", bases)?;
    Ok(())
}

/// Converts a core error into its Python exception, with attributes.
pub(crate) fn to_py(err: Error) -> PyErr {
    crate::runtime::attach(|py| match build(py, &err) {
        Ok(e) => e,
        Err(e) => e,
    })
    // A finalizing interpreter: a lazy exception, nobody will see it.
    .unwrap_or_else(crate::runtime::shutting_down)
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let msg = err.to_string();
    let attrs = PyDict::new(py);
    // Set on every error; CREATED_UNFINISHED / OUTCOME_UNKNOWN fill them.
    attrs.set_item("post_id", py.None())?;
    attrs.set_item("cause_code", py.None())?;
    let pyerr = match err {
        Error::NotConnected {
            user_id, account, ..
        } => {
            attrs.set_item("user_id", user_id)?;
            attrs.set_item("account", account)?;
            NotConnected::new_err(msg)
        }
        Error::ReauthRequired { account, .. } => {
            attrs.set_item("account", account)?;
            ReauthRequired::new_err(msg)
        }
        Error::RateLimited { .. } => RateLimited::new_err(msg),
        Error::QuotaExhausted {
            bucket,
            limit,
            resets_at,
            ..
        } => {
            attrs.set_item("bucket", bucket)?;
            attrs.set_item("limit", limit)?;
            attrs.set_item("resets_at", aware_datetime(py, resets_at)?)?;
            QuotaExhausted::new_err(msg)
        }
        Error::InvalidPost { violations } => {
            attrs.set_item("field", "post")?;
            attrs.set_item("violations", violations_to_py(py, violations)?)?;
            InvalidPost::new_err(msg)
        }
        Error::InvalidInput { field, .. } => {
            attrs.set_item("field", field)?;
            InvalidInput::new_err(msg)
        }
        Error::InvalidMedia { source_name, .. } => {
            attrs.set_item("field", "media")?;
            attrs.set_item("source_name", source_name)?;
            InvalidMedia::new_err(msg)
        }
        Error::MediaRejected { reason, code, .. } => {
            attrs.set_item("reason", reason)?;
            attrs.set_item("platform_code", code)?;
            MediaRejected::new_err(msg)
        }
        Error::Duplicate { .. } => Duplicate::new_err(msg),
        Error::Platform { code, body, .. } => {
            attrs.set_item("platform_code", code)?;
            attrs.set_item("body", body)?;
            PlatformError::new_err(msg)
        }
        Error::UnexpectedResponse { body, .. } => {
            attrs.set_item("platform_code", "unexpected_response")?;
            attrs.set_item("body", body)?;
            PlatformError::new_err(msg)
        }
        Error::Unsupported { .. } => {
            attrs.set_item("platform_code", "unsupported")?;
            attrs.set_item("body", py.None())?;
            PlatformError::new_err(msg)
        }
        Error::AuthorizationDenied {
            error, description, ..
        } => {
            attrs.set_item("error", error)?;
            attrs.set_item("description", description)?;
            AuthorizationDenied::new_err(msg)
        }
        Error::InvalidState { problem } => {
            let problem = serde_json::to_value(problem).unwrap_or_default();
            attrs.set_item("problem", json_to_py(py, &problem)?)?;
            InvalidState::new_err(msg)
        }
        Error::Transport {
            maybe_sent,
            timeout,
            ..
        } => {
            attrs.set_item("maybe_sent", maybe_sent)?;
            attrs.set_item("timeout", timeout)?;
            TransportError::new_err(msg)
        }
        Error::Conflict { current_version } => {
            // args = (message, current_version), matching how host stores raise it.
            attrs.set_item("current_version", current_version)?;
            Conflict::new_err((msg, *current_version))
        }
        Error::Store { .. } => StoreError::new_err(msg),
        Error::Key { key_id, .. } => {
            attrs.set_item("key_id", key_id)?;
            KeyMismatch::new_err(msg)
        }
        Error::Config(_) => ConfigError::new_err(msg),
        Error::Timeout { .. } => OperationTimeout::new_err(msg),
        Error::Cancelled => Cancelled::new_err(msg),
        Error::CreatedUnfinished {
            post_id,
            url,
            cause,
            ..
        } => {
            attrs.set_item("post_id", post_id)?;
            attrs.set_item("url", url)?;
            attrs.set_item("cause_code", cause.code())?;
            CreatedUnfinished::new_err(msg)
        }
        Error::OutcomeUnknown { cause, .. } => {
            attrs.set_item("cause_code", cause.code())?;
            OutcomeUnknown::new_err(msg)
        }
        Error::InProgress { .. } => InProgress::new_err(msg),
        // `Error` is non_exhaustive: a variant added to the core later still
        // maps to the base class, with its stable code.
        _ => CreatorSyncError::new_err(msg),
    };
    // Attributes every error has.
    attrs.set_item("code", err.code())?;
    attrs.set_item("platform", err.platform().map(|p| p.as_str()))?;
    attrs.set_item("retryable", err.is_retryable())?;
    attrs.set_item("status", err.status())?;
    attrs.set_item("retry_after", err.retry_after().map(|d| d.as_secs_f64()))?;
    let value = pyerr.value(py);
    for (k, v) in attrs.iter() {
        value.setattr(k.extract::<String>()?, v)?;
    }
    Ok(pyerr)
}

/// A UTC instant as an aware `datetime` (tzinfo `timezone.utc`).
fn aware_datetime<'py>(
    py: Python<'py>,
    at: &chrono::DateTime<chrono::Utc>,
) -> PyResult<Bound<'py, PyAny>> {
    let dt = py.import("datetime")?;
    let utc = dt.getattr("timezone")?.getattr("utc")?;
    let base = dt
        .getattr("datetime")?
        .call_method1("fromtimestamp", (at.timestamp(), &utc))?;
    let micros = dt
        .getattr("timedelta")?
        .call1((0, 0, at.timestamp_subsec_micros()))?;
    base.call_method1("__add__", (micros,))
}

/// Wraps a core future as an awaitable of the running loop; core errors
/// become the package's exceptions.
pub(crate) fn spawn<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: std::future::Future<Output = creatorsync_core::Result<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    crate::runtime::spawn_py(py, async move { fut.await.map_err(to_py) })
}

fn violations_to_py<'py>(py: Python<'py>, v: &[Violation]) -> PyResult<Bound<'py, PyList>> {
    let items = v
        .iter()
        .map(|v| json_to_py(py, &serde_json::to_value(v).unwrap_or_default()))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

/// Converts an exception raised by Python code the core called (a host
/// store) into a core error: `Conflict` keeps its `current_version`;
/// anything else becomes [`Error::Store`] with the exception's type and
/// message.
pub(crate) fn from_py(err: &PyErr) -> Error {
    crate::runtime::attach(|py| {
        if err.is_instance_of::<Conflict>(py) {
            return Error::Conflict {
                current_version: conflict_version(err.value(py)),
            };
        }
        let ty = err
            .get_type(py)
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "Exception".into());
        Error::store(format!("host store raised {ty}: {}", err.value(py)))
    })
    .unwrap_or_else(|| Error::store("the Python interpreter is shutting down"))
}

/// `current_version` of a `Conflict`: its attribute, else `args[1]`.
fn conflict_version(value: &Bound<'_, PyAny>) -> Option<u64> {
    if let Ok(v) = value.getattr("current_version")
        && let Ok(v) = v.extract::<Option<u64>>()
    {
        return v;
    }
    let args = value.getattr("args").ok()?;
    let args = args.cast::<PyTuple>().ok()?;
    args.get_item(1).ok()?.extract::<Option<u64>>().ok()?
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use creatorsync_core::{Error, Platform};
    use pyo3::prelude::*;

    use super::{QuotaExhausted, RateLimited, to_py};

    /// The raised form of a used-up quota (no client call raises it: a
    /// publish reports it per target, see tests/test_quota.py).
    #[test]
    fn quota_exhausted_is_a_rate_limited_with_bucket_limit_and_an_aware_resets_at() {
        Python::initialize();
        let at = Utc.with_ymd_and_hms(2026, 12, 5, 8, 0, 0).unwrap()
            + chrono::Duration::microseconds(250);
        let err = to_py(Error::QuotaExhausted {
            platform: Platform::X,
            bucket: "posts".into(),
            limit: Some(100),
            resets_at: at,
            message: "X posts used up".into(),
        });
        Python::attach(|py| {
            assert!(err.is_instance_of::<QuotaExhausted>(py));
            assert!(err.is_instance_of::<RateLimited>(py));
            let v = err.value(py);
            let get = |k: &str| v.getattr(k).unwrap();
            assert_eq!(get("code").extract::<String>().unwrap(), "QUOTA_EXHAUSTED");
            assert_eq!(get("platform").extract::<String>().unwrap(), "x");
            assert_eq!(get("bucket").extract::<String>().unwrap(), "posts");
            assert_eq!(get("limit").extract::<u32>().unwrap(), 100);
            let resets_at = get("resets_at");
            let offset = resets_at.call_method0("utcoffset").unwrap();
            assert!(!offset.is_none(), "resets_at is an aware datetime");
            assert_eq!(
                offset
                    .call_method0("total_seconds")
                    .unwrap()
                    .extract::<f64>()
                    .unwrap(),
                0.0
            );
            assert_eq!(
                resets_at
                    .call_method0("isoformat")
                    .unwrap()
                    .extract::<String>()
                    .unwrap(),
                "2026-12-05T08:00:00.000250+00:00"
            );
        });
    }
}
