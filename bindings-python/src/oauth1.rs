//! OAuth 1.0a (RFC 5849, HMAC-SHA1) request signing for Python callers,
//! over the core's `OAuth1Signer` (the same function and class as the Node
//! binding). Synchronous: a signature takes about a microsecond, far less
//! than a trip through the runtime would.

use std::collections::HashMap;

use creatorsync_core::Error;
use creatorsync_core::auth::{OAuth1Signer as CoreSigner, SignInput};
use pyo3::prelude::*;
use url::Url;

use crate::error::to_py;

fn parse_url(url: &str) -> PyResult<Url> {
    Url::parse(url).map_err(|e| to_py(Error::invalid_input("url", e.to_string())))
}

fn signer(
    consumer_key: String,
    consumer_secret: &str,
    token: Option<&str>,
    token_secret: Option<&str>,
) -> CoreSigner {
    let signer = CoreSigner::new(consumer_key, consumer_secret);
    match token {
        Some(t) => signer.with_token(t, token_secret.unwrap_or("")),
        None => signer,
    }
}

fn pairs(form: Option<&HashMap<String, String>>) -> Vec<(&str, &str)> {
    form.map(|f| f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
        .unwrap_or_default()
}

/// The `Authorization` header value (`OAuth oauth_consumer_key=...`) for
/// one request: `url`'s query and the `form` fields
/// (`application/x-www-form-urlencoded` body) are signed. `nonce` and
/// `timestamp` (seconds) fix what is otherwise fresh (tests, published
/// vectors); give both or neither. A malformed URL raises `InvalidInput`.
#[pyfunction]
#[pyo3(signature = (consumer_key, consumer_secret, method, url, *, token=None, token_secret=None, form=None, nonce=None, timestamp=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sign_oauth1(
    consumer_key: String,
    consumer_secret: &str,
    method: &str,
    url: &str,
    token: Option<&str>,
    token_secret: Option<&str>,
    form: Option<HashMap<String, String>>,
    nonce: Option<&str>,
    timestamp: Option<u64>,
) -> PyResult<String> {
    let signer = signer(consumer_key, consumer_secret, token, token_secret);
    let url = parse_url(url)?;
    let form = pairs(form.as_ref());
    match (nonce, timestamp) {
        (Some(n), Some(t)) => Ok(signer.authorization_with(
            &SignInput {
                method,
                url: &url,
                form: &form,
                oauth_extra: &[],
            },
            n,
            t,
        )),
        (None, None) => Ok(signer.authorization(method, &url, &form)),
        _ => Err(to_py(Error::invalid_input(
            "nonce",
            "give nonce and timestamp together, or neither",
        ))),
    }
}

/// A reusable signer for one consumer and, optionally, a user token (the
/// HMAC key is derived once): the fast path for many signatures. Its repr
/// shows the consumer key only, never a secret.
#[pyclass(module = "creatorsync", frozen)]
#[derive(Debug)]
pub(crate) struct OAuth1Signer {
    inner: CoreSigner,
}

#[pymethods]
impl OAuth1Signer {
    #[new]
    #[pyo3(signature = (consumer_key, consumer_secret, token=None, token_secret=None))]
    fn new(
        consumer_key: String,
        consumer_secret: &str,
        token: Option<&str>,
        token_secret: Option<&str>,
    ) -> Self {
        Self {
            inner: signer(consumer_key, consumer_secret, token, token_secret),
        }
    }

    /// The `Authorization` header value for one request (fresh nonce and
    /// time).
    #[pyo3(signature = (method, url, form=None))]
    fn authorization(
        &self,
        method: &str,
        url: &str,
        form: Option<HashMap<String, String>>,
    ) -> PyResult<String> {
        let url = parse_url(url)?;
        Ok(self
            .inner
            .authorization(method, &url, &pairs(form.as_ref())))
    }

    fn __repr__(&self) -> String {
        format!("OAuth1Signer(consumer_key={:?})", self.inner.consumer_key())
    }
}
