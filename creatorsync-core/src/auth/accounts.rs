//! Small generic pieces of account discovery, used by each platform's
//! `accounts` code: JSON field reads, a bearer-token GET and the error for
//! a profile answer without what it must hold.

use serde_json::Value;
use url::Url;

use crate::http::{ErrorShape, Idempotency, decode_json};
use crate::{Error, HttpClient, Platform, Result};

/// A string (or number, as a string) at a JSON pointer.
pub(crate) fn s(v: &Value, ptr: &str) -> Option<String> {
    match v.pointer(ptr)? {
        Value::String(x) => Some(x.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A profile answer that lacks `what`.
pub(crate) fn unexpected(platform: Platform, what: &str) -> Error {
    Error::unexpected_response(
        platform,
        None,
        &format!("the profile answer has no {what}"),
        None,
    )
}

/// GET `url` with a bearer token and `headers`, read as JSON.
pub(crate) async fn bearer_json(
    http: &HttpClient,
    shape: &dyn ErrorShape,
    op: &'static str,
    url: Url,
    token: &str,
    headers: &[(&str, &str)],
) -> Result<Value> {
    let resp = http
        .send(shape, op, Idempotency::Idempotent, |c| {
            let mut b = c.get(url.clone()).bearer_auth(token);
            for (k, v) in headers {
                b = b.header(*k, *v);
            }
            b
        })
        .await?;
    decode_json(shape.platform(), resp).await
}
