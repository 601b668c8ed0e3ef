//! The HTTP layer: one shared reqwest client, endpoint overrides, retries
//! with backoff and rate-limit awareness, per-platform error mapping, and
//! request tracing with secrets redacted.

mod endpoints;
mod errors;
mod redact;
mod retry;

pub use endpoints::{Endpoints, Host};
pub use retry::RetryConfig;
pub(crate) use retry::{Attempts, transport_error};

pub(crate) use errors::{ErrorBody, ErrorShape, decode_json, next_utc_midnight, platform_error};
#[cfg(feature = "postgres")]
pub(crate) use redact::redact_url_password;
pub(crate) use redact::redacted_excerpt;
pub use redact::{REDACTED, redact_url};
pub(crate) use redact::{redact_text, redact_url_str};

use std::time::Duration;

use crate::{Error, Result};

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
    pub(crate) async fn send<F>(
        &self,
        shape: &dyn ErrorShape,
        op: &'static str,
        idempotency: Idempotency,
        build: F,
    ) -> Result<reqwest::Response>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync,
    {
        retry::send_retry(self, &self.retry, shape, op, idempotency, &build).await
    }

    /// [`HttpClient::send`] under another retry policy for this one call
    /// (e.g. [`RetryConfig::disabled`] where an outer loop retries: the
    /// chunk and resumable upload drivers).
    pub(crate) async fn send_with<F>(
        &self,
        policy: &RetryConfig,
        shape: &dyn ErrorShape,
        op: &'static str,
        idempotency: Idempotency,
        build: F,
    ) -> Result<reqwest::Response>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync,
    {
        retry::send_retry(self, policy, shape, op, idempotency, &build).await
    }
}

impl Default for HttpClient {
    fn default() -> Self {
        // Building a client with default settings only fails if the TLS
        // backend cannot initialise, which is a broken installation.
        Self::new(HttpConfig::default()).unwrap_or_else(|e| panic!("default HTTP client: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::http::StatusCode;
    use axum::routing::put;
    use tracing_subscriber::fmt::format::FmtSpan;

    use super::*;

    /// Error answers read by nobody in particular.
    struct Generic;

    impl ErrorShape for Generic {
        fn platform(&self) -> crate::Platform {
            crate::Platform::YouTube
        }

        fn error(&self, body: &ErrorBody<'_>) -> Error {
            body.generic(None, body.excerpt())
        }
    }

    /// What a YouTube resumable session URI carries: the session id grants
    /// upload rights to whoever holds it.
    const SESSION: &str = "ADPycdvSESSION-ID-123";

    #[derive(Clone, Default)]
    struct Logs(Arc<Mutex<Vec<u8>>>);

    impl Write for Logs {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn session_uri(base: &str) -> String {
        format!(
            "{base}/upload/youtube/v3/videos?uploadType=resumable&upload_id={SESSION}&part=snippet"
        )
    }

    /// Serializes the tests here that send requests: tracing caches a
    /// callsite's interest, and a request traced on another thread while
    /// the log test installs its subscriber can leave the `http` span
    /// unrecorded there.
    static SENDING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    #[tokio::test]
    async fn upload_session_ids_never_reach_errors_or_trace_logs() {
        let _one_at_a_time = SENDING.lock().await;
        let logs = Logs::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(FmtSpan::FULL)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);

        // An error answer quoting the session URI in its message.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let quoted = session_uri("https://www.googleapis.com");
        let router = Router::new().fallback(put(move || async move {
            let body = format!(r#"{{"error":{{"code":400,"message":"bad session {quoted}"}}}}"#);
            (StatusCode::BAD_REQUEST, body)
        }));
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        // A transport failure: nothing listens on this port any more.
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let closed_base = format!("http://{}", closed.local_addr().unwrap());
        drop(closed);

        let client = HttpClient::new(HttpConfig {
            retry: RetryConfig::disabled(),
            ..HttpConfig::default()
        })
        .unwrap();
        let mut errors = Vec::new();
        for base in [&base, &closed_base] {
            let uri = session_uri(base);
            let err = client
                .send(&Generic, "upload bytes", Idempotency::Idempotent, |c| {
                    c.put(&uri)
                })
                .await
                .unwrap_err();
            let mut shown = format!("{err} {err:?}");
            let mut cause = std::error::Error::source(&err);
            while let Some(c) = cause {
                shown.push_str(&format!(" <- {c} {c:?}"));
                cause = c.source();
            }
            errors.push(shown);
        }
        assert!(errors[0].contains("HTTP 400"), "{}", errors[0]);
        assert!(errors[1].contains("network error"), "{}", errors[1]);
        // The transport failure keeps the client's error as its source.
        assert!(errors[1].contains(" <- "), "{}", errors[1]);
        let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
        assert!(
            logs.contains("upload_id=[redacted]"),
            "the request is logged: {logs}"
        );
        for shown in errors.iter().chain([&logs]) {
            assert!(!shown.contains(SESSION), "session id in {shown}");
        }
    }

    #[tokio::test]
    async fn the_retry_policy_is_chosen_per_call() {
        let _one_at_a_time = SENDING.lock().await;
        use std::sync::atomic::{AtomicU32, Ordering};
        let hits = Arc::new(AtomicU32::new(0));
        let counted = hits.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/x", listener.local_addr().unwrap());
        let router = Router::new().fallback(put(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            async { StatusCode::SERVICE_UNAVAILABLE }
        }));
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        let client = HttpClient::new(HttpConfig {
            retry: RetryConfig {
                max_retries: 2,
                initial_backoff: Duration::from_millis(1),
                ..RetryConfig::default()
            },
            ..HttpConfig::default()
        })
        .unwrap();
        let put_once = |c: &reqwest::Client| c.put(&url);
        client
            .send(&Generic, "op", Idempotency::Idempotent, put_once)
            .await
            .unwrap_err();
        assert_eq!(hits.swap(0, Ordering::SeqCst), 3, "the client's policy");
        let err = client
            .send_with(
                &RetryConfig::disabled(),
                &Generic,
                "op",
                Idempotency::Idempotent,
                put_once,
            )
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(503), "the platform's real status");
        assert_eq!(hits.load(Ordering::SeqCst), 1, "this call's policy");
        assert_eq!(client.retry_config().max_retries, 2, "client unchanged");
    }
}
