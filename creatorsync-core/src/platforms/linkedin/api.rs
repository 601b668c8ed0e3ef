//! LinkedIn's REST calls of one account: token (only to LinkedIn's own
//! hosts), versioned headers ([`super::version`]) and JSON.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde_json::Value;
use url::Url;

use super::version;
use crate::http::{Host, Idempotency, decode_json};
use crate::platforms::ClientConfig;
use crate::{Platform, Result};

/// One account's view of the API, with the version asked for.
pub(super) struct Api<'a> {
    pub(super) cfg: &'a ClientConfig,
    pub(super) token: &'a str,
    pub(super) version: String,
}

impl Api<'_> {
    /// Whether `url` belongs to LinkedIn (so the token may go there).
    fn trusted(&self, url: &Url) -> bool {
        let e = &self.cfg.endpoints;
        [&e.api, &e.upload, &e.auth, &e.token]
            .iter()
            .any(|b| b.origin() == url.origin())
    }

    /// Sends a request with LinkedIn's headers and the version policy
    /// ([`version::send`]).
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
        let trusted = self.trusted(&url);
        version::send(
            &self.cfg.http,
            &self.version,
            op,
            idem,
            &method,
            &url,
            |rb| {
                let rb = if trusted {
                    rb.bearer_auth(self.token)
                } else {
                    rb
                };
                with(rb)
            },
        )
        .await
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
