//! The HTTP layer: one shared reqwest client, endpoint overrides, retries
//! with backoff and rate-limit awareness, per-platform error mapping, and
//! request tracing with secrets redacted.

mod endpoints;
mod errors;
mod redact;
mod retry;

pub use endpoints::{EndpointSet, Endpoints, Host};
pub use retry::RetryConfig;

pub use errors::{decode_json, platform_error};
pub use redact::{redact_text, redact_url};

use std::time::Duration;

use crate::{Error, Platform, Result};

/// Whether a request may be repeated without changing the outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Idempotency {
    /// Reads, uploads of a byte range, status queries: retried on 5xx,
    /// timeouts and broken connections.
    Idempotent,
    /// Creates a post (or anything visible): retried only when the request
    /// certainly never reached the server (connect failure) or the server
    /// refused it with 429 before doing anything.
    NonIdempotent,
}

/// Settings of the shared HTTP client.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// Timeout of one request attempt (default 120 s; uploads of large
    /// chunks on slow links may need more).
    pub timeout: Duration,
    /// TCP connect timeout (default 10 s).
    pub connect_timeout: Duration,
    /// Retry policy.
    pub retry: RetryConfig,
    /// `User-Agent` header.
    pub user_agent: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(10),
            retry: RetryConfig::default(),
            user_agent: concat!("creatorsync/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// One shared client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct HttpClient {
    inner: reqwest::Client,
    retry: RetryConfig,
}

impl HttpClient {
    /// Builds a client from `config`.
    pub fn new(config: HttpConfig) -> Result<Self> {
        let inner = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(config.user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            inner,
            retry: config.retry,
        })
    }

    /// The underlying reqwest client.
    pub fn reqwest(&self) -> &reqwest::Client {
        &self.inner
    }

    /// The retry policy.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.retry
    }

    /// A copy of this client with another retry policy.
    pub fn with_retry(&self, retry: RetryConfig) -> Self {
        Self {
            inner: self.inner.clone(),
            retry,
        }
    }

    /// Sends a request built by `build` (called once per attempt), retrying
    /// per the policy and `idempotency`. Returns the successful (2xx/3xx)
    /// response; error answers are mapped to [`Error`] by the platform's
    /// error shape.
    pub async fn send<F>(
        &self,
        platform: Platform,
        op: &'static str,
        idempotency: Idempotency,
        build: F,
    ) -> Result<reqwest::Response>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync,
    {
        retry::send_retry(self, platform, op, idempotency, &build).await
    }
}

impl Default for HttpClient {
    fn default() -> Self {
        // Building a client with default settings only fails if the TLS
        // backend cannot initialise, which is a broken installation.
        Self::new(HttpConfig::default()).unwrap_or_else(|e| panic!("default HTTP client: {e}"))
    }
}
