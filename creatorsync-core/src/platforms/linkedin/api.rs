//! LinkedIn's versioned REST calls: headers, token, and the one-time
//! fallback to an older `LinkedIn-Version` after `426 NONEXISTENT_VERSION`.

use std::sync::Mutex;

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde_json::Value;
use tracing::warn;
use url::Url;

use super::KNOWN_GOOD_VERSIONS;
use crate::http::{Host, Idempotency, decode_json};
use crate::platforms::ClientConfig;
use crate::{Error, Platform, Result};

/// One account's view of the API, with the version in use.
pub(super) struct Api<'a> {
    pub(super) cfg: &'a ClientConfig,
    pub(super) token: &'a str,
    pub(super) version: Mutex<(String, bool)>,
}

impl Api<'_> {
    pub(super) fn version(&self) -> (String, bool) {
        self.version
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Whether `url` belongs to LinkedIn (so the token may go there).
    fn trusted(&self, url: &Url) -> bool {
        let e = &self.cfg.endpoints;
        [&e.api, &e.upload, &e.auth, &e.token]
            .iter()
            .any(|b| b.origin() == url.origin())
    }

    /// Sends a request with LinkedIn's headers; falls back once to an
    /// older version when LinkedIn says the version is not active.
    pub(super) async fn send<F>(
        &self,
        op: &'static str,
        idem: Idempotency,
        method: Method,
        url: Url,
        with: F,
    ) -> Result<reqwest::Response>
    where
        F: Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder + Send + Sync,
    {
        loop {
            let (version, fell_back) = self.version();
            let result = self
                .cfg
                .http
                .send(Platform::LinkedIn, op, idem, |c| {
                    let mut rb = c
                        .request(method.clone(), url.clone())
                        .header("LinkedIn-Version", &version)
                        .header("X-Restli-Protocol-Version", "2.0.0");
                    if self.trusted(&url) {
                        rb = rb.bearer_auth(self.token);
                    }
                    with(rb)
                })
                .await;
            match result {
                Err(Error::Platform {
                    status: 426,
                    ref code,
                    ..
                }) if !fell_back && code.as_deref() == Some("NONEXISTENT_VERSION") => {
                    let Some(next) = KNOWN_GOOD_VERSIONS.iter().find(|v| **v != version) else {
                        return result;
                    };
                    warn!(refused = %version, using = %next, "LinkedIn-Version not active; falling back");
                    *self
                        .version
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) =
                        ((*next).to_owned(), true);
                }
                other => return other,
            }
        }
    }

    pub(super) fn url(&self, path: &str) -> Url {
        self.cfg.endpoints.url(Host::Api, path)
    }

    pub(super) async fn json<T: serde::de::DeserializeOwned>(
        &self,
        op: &'static str,
        idem: Idempotency,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<T> {
        let resp = self
            .send(op, idem, method, self.url(path), |rb| match body {
                Some(b) => rb.json(b),
                None => rb,
            })
            .await?;
        decode_json(Platform::LinkedIn, resp).await
    }
}

/// A URN for a URL path segment (`urn%3Ali%3Avideo%3A...`).
pub(super) fn enc(urn: &str) -> String {
    utf8_percent_encode(urn, NON_ALPHANUMERIC).to_string()
}
