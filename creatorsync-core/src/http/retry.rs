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

/// The attempts of one retried operation under one policy: the single
/// place that decides whether to try again and sleeps the backoff. Used by
/// the HTTP layer per request and by the upload loops (per chunk, per
/// resumable upload) with their own policy.
#[derive(Debug)]
pub(crate) struct Attempts<'a> {
    cfg: &'a RetryConfig,
    started: Instant,
    attempt: u32,
}

impl<'a> Attempts<'a> {
    /// The first attempt starts now.
    pub(crate) fn new(cfg: &'a RetryConfig) -> Self {
        Self {
            cfg,
            started: Instant::now(),
            attempt: 0,
        }
    }

    /// 0-based number of the current attempt.
    pub(crate) fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Progress was made: the next failure counts as the first again.
    pub(crate) fn reset(&mut self) {
        *self = Self::new(self.cfg);
    }

    /// After the failure `err`: sleeps the backoff (or the platform's short
    /// Retry-After) and returns `Ok` when another attempt is due, else
    /// returns `err`.
    pub(crate) async fn retry(&mut self, idempotency: Idempotency, err: Error) -> Result<()> {
        match decide(self.cfg, self.attempt, self.started, idempotency, err) {
            Next::Retry(wait) => {
                debug!(
                    attempt = self.attempt,
                    wait_ms = wait.as_millis() as u64,
                    "retrying"
                );
                tokio::time::sleep(wait).await;
                self.attempt += 1;
                Ok(())
            }
            Next::Fail(err) => {
                if self.attempt > 0 {
                    warn!(attempts = self.attempt + 1, error = %err, "giving up");
                }
                Err(err)
            }
        }
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
    if started.elapsed().saturating_add(wait) > cfg.max_elapsed {
        return Next::Fail(err);
    }
    Next::Retry(wait)
}

/// A failure of the HTTP client as [`Error::Transport`], keeping the
/// client's error (without its URL) as the source.
pub(crate) fn transport_error(platform: Platform, e: reqwest::Error) -> Error {
    // A connect error means no byte of the request reached the server.
    let maybe_sent = !e.is_connect() && !e.is_builder();
    let message = match e.url() {
        Some(u) => format!("{} ({})", strip_url(&e), redact_url(u)),
        None => strip_url(&e),
    };
    Error::Transport {
        platform: Some(platform),
        message,
        maybe_sent,
        timeout: e.is_timeout(),
        source: Some(Box::new(e.without_url())),
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
    policy: &RetryConfig,
    shape: &dyn ErrorShape,
    op: &'static str,
    idempotency: Idempotency,
    build: &F,
) -> Result<reqwest::Response>
where
    F: Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync,
{
    let platform = shape.platform();
    let mut attempts = Attempts::new(policy);
    loop {
        let attempt = attempts.attempt();
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
                Err(e) => Err(transport_error(platform, e)),
            }
        }
        .instrument(span.clone())
        .await;
        match result {
            Ok(resp) => return Ok(resp),
            Err(err) => attempts.retry(idempotency, err).instrument(span).await?,
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
            source: None,
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
            source: None,
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
