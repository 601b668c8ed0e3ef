//! Retry with exponential backoff and full jitter, Retry-After and
//! rate-limit-reset aware, never repeating a create that may have landed.

use std::time::{Duration, Instant};

use rand::Rng;
use tracing::{Instrument, debug, info_span, warn};

use super::{ErrorShape, HttpClient, Idempotency, platform_error, redact_url};
use crate::{Error, Platform, Result};

/// Retry policy, as plain data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryConfig {
    /// Retries after the first attempt (0: no retry).
    pub max_retries: u32,
    /// First backoff ceiling; doubles each attempt (full jitter below it).
    pub initial_backoff: Duration,
    /// Largest backoff ceiling.
    pub max_backoff: Duration,
    /// Give up once this much time has passed since the first attempt.
    pub max_elapsed: Duration,
    /// Longest wait accepted for a rate limit; a longer Retry-After or reset
    /// is returned to the caller as [`Error::RateLimited`].
    pub max_rate_limit_wait: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_retries: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(180),
            max_rate_limit_wait: Duration::from_secs(60),
        }
    }
}

impl RetryConfig {
    /// No retries at all.
    pub fn disabled() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The backoff before retry number `attempt` (0-based): a uniformly
    /// random duration in `[0, min(max_backoff, initial * 2^attempt)]`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX))
            .min(self.max_backoff);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rand::rng().random_range(0..=nanos))
    }
}

/// What to do after a failed attempt.
enum Next {
    Retry(Duration),
    Fail(Error),
}

fn decide(
    cfg: &RetryConfig,
    attempt: u32,
    started: Instant,
    idempotency: Idempotency,
    err: Error,
) -> Next {
    if attempt >= cfg.max_retries {
        return Next::Fail(err);
    }
    let wait = match &err {
        Error::RateLimited { .. } => match err.retry_after() {
            Some(w) if w <= cfg.max_rate_limit_wait => w.max(Duration::from_millis(10)),
            Some(_) => return Next::Fail(err),
            None => cfg.backoff(attempt).max(Duration::from_millis(500)),
        },
        Error::Transport {
            maybe_sent,
            timeout,
            ..
        } => {
            let safe = !maybe_sent || idempotency == Idempotency::Idempotent;
            if !safe || (*timeout && idempotency == Idempotency::NonIdempotent) {
                return Next::Fail(err);
            }
            cfg.backoff(attempt)
        }
        Error::Platform { status, .. } if (*status >= 500 || *status == 408) => {
            if idempotency == Idempotency::NonIdempotent {
                return Next::Fail(err);
            }
            cfg.backoff(attempt)
        }
        _ => return Next::Fail(err),
    };
    if started.elapsed() + wait > cfg.max_elapsed {
        return Next::Fail(err);
    }
    Next::Retry(wait)
}

pub(super) fn transport_error(platform: Platform, e: &reqwest::Error) -> Error {
    // A connect error means no byte of the request reached the server.
    let maybe_sent = !e.is_connect() && !e.is_builder();
    let message = match e.url() {
        Some(u) => format!("{} ({})", strip_url(e), redact_url(u)),
        None => strip_url(e),
    };
    Error::Transport {
        platform: Some(platform),
        message,
        maybe_sent,
        timeout: e.is_timeout(),
    }
}

/// reqwest's Display includes the full URL (with secrets in the query);
/// print the error chain without it.
fn strip_url(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut cur: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = cur {
        parts.push(s.to_string());
        cur = s.source();
    }
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() {
        "body error"
    } else if e.is_decode() {
        "decode error"
    } else {
        "request failed"
    };
    if parts.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {}", parts.join(": "))
    }
}

pub(super) async fn send_retry<F>(
    client: &HttpClient,
    shape: &dyn ErrorShape,
    op: &'static str,
    idempotency: Idempotency,
    build: &F,
) -> Result<reqwest::Response>
where
    F: Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync,
{
    let platform = shape.platform();
    let cfg = &client.retry;
    let started = Instant::now();
    let mut attempt = 0u32;
    loop {
        let request = build(&client.inner).build().map_err(|e| {
            Error::Config(format!(
                "{platform}: cannot build {op} request: {}",
                strip_url(&e)
            ))
        })?;
        let span = info_span!(
            "http",
            %platform,
            op,
            method = %request.method(),
            url = %redact_url(request.url()),
            attempt,
            status = tracing::field::Empty,
        );
        let result = async {
            let res = client.inner.execute(request).await;
            match res {
                Ok(resp) => {
                    tracing::Span::current().record("status", resp.status().as_u16());
                    if resp.status().is_success() || resp.status().is_redirection() {
                        return Ok(resp);
                    }
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    let body = resp.bytes().await.unwrap_or_default();
                    Err(platform_error(shape, status, &headers, &body))
                }
                Err(e) => Err(transport_error(platform, &e)),
            }
        }
        .instrument(span)
        .await;
        match result {
            Ok(resp) => return Ok(resp),
            Err(err) => match decide(cfg, attempt, started, idempotency, err) {
                Next::Retry(wait) => {
                    debug!(%platform, op, attempt, wait_ms = wait.as_millis() as u64, "retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Next::Fail(err) => {
                    if attempt > 0 {
                        warn!(%platform, op, attempts = attempt + 1, error = %err, "giving up");
                    }
                    return Err(err);
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_and_grows() {
        let cfg = RetryConfig::default();
        for attempt in 0..40 {
            assert!(cfg.backoff(attempt) <= cfg.max_backoff);
        }
        assert!(cfg.backoff(0) <= cfg.initial_backoff);
    }

    #[test]
    fn creates_are_not_retried_once_sent() {
        let cfg = RetryConfig::default();
        let sent = Error::Transport {
            platform: Some(Platform::X),
            message: "reset".into(),
            maybe_sent: true,
            timeout: false,
        };
        assert!(matches!(
            decide(&cfg, 0, Instant::now(), Idempotency::NonIdempotent, sent),
            Next::Fail(_)
        ));
        let not_sent = Error::Transport {
            platform: Some(Platform::X),
            message: "refused".into(),
            maybe_sent: false,
            timeout: false,
        };
        assert!(matches!(
            decide(
                &cfg,
                0,
                Instant::now(),
                Idempotency::NonIdempotent,
                not_sent
            ),
            Next::Retry(_)
        ));
        let e500 = Error::Platform {
            platform: Platform::X,
            status: 503,
            code: None,
            message: "x".into(),
            body: None,
        };
        assert!(matches!(
            decide(&cfg, 0, Instant::now(), Idempotency::NonIdempotent, e500),
            Next::Fail(_)
        ));
    }
}
