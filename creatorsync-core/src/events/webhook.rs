//! The signed webhook sink: POSTs each [`Event`] as JSON to one URL.
//!
//! Headers on every delivery:
//!
//! - `CreatorSync-Event-Id: <event id>`: the same on a redelivery; a
//!   receiver drops ids it has seen (delivery is at least once).
//! - `CreatorSync-Signature: t=<unix seconds>,v1=<hex>` where `<hex>` is
//!   HMAC-SHA256, keyed with the shared secret, of `"<t>.<body>"` (the
//!   timestamp, a dot, the exact body bytes). A receiver checks it with
//!   [`verify_signature`] (or the same few lines in its language, see
//!   `docs/events.md`) and refuses an old `t` so a captured delivery
//!   cannot be replayed later.
//!
//! The URL passes the SSRF guard (no private, loopback or link-local
//! address, checked on every attempt and connected to as checked) unless
//! [`WebhookSinkBuilder::allow_loopback`] is set for local tests. Transport
//! failures, timeouts and 5xx / 408 / 429 answers are retried with the SDK's
//! one jittered backoff ([`RetryConfig`]), bounded; any other non-2xx answer
//! fails at once. A failed delivery is an error: the caller delivers again
//! later with the same event id.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use reqwest::header::{CONTENT_TYPE, USER_AGENT};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use url::Url;

use super::{Event, EventSink};
use crate::http::{Attempts, Idempotency, redact_url};
use crate::media::guard::{GuardPolicy, resolve_checked};
use crate::{Error, Result, RetryConfig, Secret};

/// The header carrying `t=<unix>,v1=<hex>`.
pub const SIGNATURE_HEADER: &str = "CreatorSync-Signature";
/// The header carrying the event id.
pub const EVENT_ID_HEADER: &str = "CreatorSync-Event-Id";

/// How long one attempt may take by default.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Posts events to a URL, signed with a shared secret. Build it with
/// [`WebhookSink::builder`].
///
/// ```
/// use creatorsync_core::events::WebhookSink;
/// let sink = WebhookSink::builder("https://example.com/hooks/creatorsync", "whsec-123").build()?;
/// assert!(!format!("{sink:?}").contains("whsec-123"));
/// # Ok::<(), creatorsync_core::Error>(())
/// ```
#[derive(Debug)]
pub struct WebhookSink {
    url: Url,
    secret: Secret<String>,
    policy: GuardPolicy,
    retry: RetryConfig,
    timeout: Duration,
}

/// Options of a [`WebhookSink`].
#[derive(Debug)]
pub struct WebhookSinkBuilder {
    url: String,
    secret: Secret<String>,
    allow_loopback: bool,
    retry: RetryConfig,
    timeout: Duration,
}

impl WebhookSink {
    /// A sink posting to `url`, signing with `secret`.
    pub fn builder(
        url: impl Into<String>,
        secret: impl Into<Secret<String>>,
    ) -> WebhookSinkBuilder {
        WebhookSinkBuilder {
            url: url.into(),
            secret: secret.into(),
            allow_loopback: false,
            retry: RetryConfig {
                max_retries: 3,
                ..RetryConfig::default()
            },
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The `CreatorSync-Signature` value for `body` sent at `t`.
    fn signature(&self, t: i64, body: &[u8]) -> String {
        format!("t={t},v1={}", hex::encode(sign(&self.secret, t, body)))
    }

    /// One attempt: guard the URL, connect to the checked address, POST.
    /// A failure comes with whether another attempt now is worthwhile.
    async fn attempt(&self, event: &Event, body: &[u8]) -> Result<(), (Error, bool)> {
        let shown = redact_url(&self.url);
        let addr = resolve_checked(&self.url, &self.policy)
            .await
            .map_err(|e| match e {
                Error::InvalidMedia { reason, .. } => {
                    (Error::invalid_input("webhook_url", reason), false)
                }
                other => (other, false),
            })?;
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(self.timeout);
        if let Some(url::Host::Domain(d)) = self.url.host() {
            builder = builder.resolve(d, addr);
        }
        let client = builder.build().map_err(|e| {
            (
                Error::Config(format!("cannot build HTTP client: {e}")),
                false,
            )
        })?;
        let signature = self.signature(Utc::now().timestamp(), body);
        let resp = client
            .post(self.url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(
                USER_AGENT,
                concat!("creatorsync/", env!("CARGO_PKG_VERSION")),
            )
            .header(EVENT_ID_HEADER, &event.id)
            .header(SIGNATURE_HEADER, signature)
            .body(body.to_vec())
            .send()
            .await
            .map_err(|e| {
                let err = Error::Transport {
                    platform: None,
                    message: format!("delivering event {} to {shown}", event.id),
                    maybe_sent: !e.is_connect(),
                    timeout: e.is_timeout(),
                    source: Some(Box::new(e.without_url())),
                };
                (err, true)
            })?;
        let status = resp.status().as_u16();
        if resp.status().is_success() {
            return Ok(());
        }
        let err = Error::transport(
            None,
            format!(
                "delivering event {} to {shown}: the receiver answered HTTP {status}",
                event.id
            ),
            true,
            false,
        );
        Err((err, retry_status(status)))
    }
}

/// Whether an answer is worth another attempt now.
fn retry_status(status: u16) -> bool {
    status >= 500 || status == 408 || status == 429
}

impl WebhookSinkBuilder {
    /// Allow a loopback URL (`127.0.0.1`, `::1`): local tests only.
    #[must_use]
    pub fn allow_loopback(mut self, allow: bool) -> Self {
        self.allow_loopback = allow;
        self
    }

    /// The retry policy per delivery (default: 3 retries, jittered
    /// exponential backoff from 100 ms).
    #[must_use]
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// How long one attempt may take (default 10 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Checks the URL (http(s), a host) and builds the sink. The address
    /// is checked by the SSRF guard on each delivery.
    pub fn build(self) -> Result<WebhookSink> {
        let url = Url::parse(&self.url)
            .map_err(|e| Error::invalid_input("webhook_url", e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(Error::invalid_input(
                "webhook_url",
                "must be an http(s) URL with a host",
            ));
        }
        if self.secret.expose().is_empty() {
            return Err(Error::invalid_input("webhook_secret", "must not be empty"));
        }
        Ok(WebhookSink {
            url,
            secret: self.secret,
            policy: GuardPolicy {
                allow_hosts: Vec::new(),
                allow_loopback: self.allow_loopback,
            },
            retry: self.retry,
            timeout: self.timeout,
        })
    }
}

#[async_trait::async_trait]
impl EventSink for WebhookSink {
    async fn deliver(&self, event: &Event) -> Result<()> {
        let body = serde_json::to_vec(event)
            .map_err(|e| Error::Config(format!("cannot encode event {}: {e}", event.id)))?;
        // The receiver drops a repeated event id, so a delivery is safe to
        // repeat even when an attempt may have arrived.
        let mut attempts = Attempts::new(&self.retry);
        loop {
            match self.attempt(event, &body).await {
                Ok(()) => return Ok(()),
                Err((e, true)) => attempts.retry(Idempotency::Idempotent, e).await?,
                Err((e, false)) => return Err(e),
            }
        }
    }
}

fn sign(secret: &Secret<String>, t: i64, body: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// Checks a `CreatorSync-Signature` header (`t=<unix>,v1=<hex>`, possibly
/// several `v1` while a secret is rotated) against `body`: one `v1` must
/// be HMAC-SHA256 of `"<t>.<body>"` under `secret` (compared in constant
/// time), and `t` must be within `tolerance` of `now` either way.
/// Any failure is [`Error::InvalidInput`] naming the header; it never
/// echoes the secret or the expected signature.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use creatorsync_core::events::verify_signature;
/// use hmac::{Hmac, Mac};
/// use std::time::Duration;
/// // What the sender computes: HMAC-SHA256 of "<t>.<body>".
/// let body = br#"{"id":"evt_1"}"#;
/// let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"whsec-123").unwrap();
/// mac.update(b"1700000000.");
/// mac.update(body);
/// let header = format!("t=1700000000,v1={}", hex::encode(mac.finalize().into_bytes()));
/// let now = Utc.timestamp_opt(1_700_000_010, 0).unwrap();
/// let secret = "whsec-123".into();
/// verify_signature(&secret, &header, body, now, Duration::from_secs(300))?;
/// assert!(verify_signature(&secret, &header, b"{}", now, Duration::from_secs(300)).is_err());
/// # Ok::<(), creatorsync_core::Error>(())
/// ```
pub fn verify_signature(
    secret: &Secret<String>,
    header: &str,
    body: &[u8],
    now: DateTime<Utc>,
    tolerance: Duration,
) -> Result<()> {
    let bad = |why: &str| Error::invalid_input(SIGNATURE_HEADER, why);
    let mut t = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = Some(v.parse::<i64>().map_err(|_| bad("`t` is not a number"))?),
            Some(("v1", v)) => candidates.push(v),
            _ => {}
        }
    }
    let t = t.ok_or_else(|| bad("no `t=` timestamp"))?;
    if candidates.is_empty() {
        return Err(bad("no `v1=` signature"));
    }
    let age = now.timestamp().abs_diff(t);
    if age > tolerance.as_secs() {
        return Err(bad(&format!(
            "the timestamp is {age} s from now, more than the {} s allowed",
            tolerance.as_secs()
        )));
    }
    let expected = sign(secret, t, body);
    let ok = candidates
        .iter()
        .any(|c| hex::decode(c).is_ok_and(|given| bool::from(given.as_slice().ct_eq(&expected))));
    if ok {
        Ok(())
    } else {
        Err(bad("no signature matches the body"))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    const TOL: Duration = Duration::from_secs(300);

    fn header(secret: &str, t: i64, body: &[u8]) -> String {
        format!("t={t},v1={}", hex::encode(sign(&secret.into(), t, body)))
    }

    #[test]
    fn a_signature_verifies_and_any_change_fails() {
        let secret: Secret<String> = "s3cr3t-value".into();
        let body = br#"{"id":"evt_1","type":"post.published"}"#;
        let t = 1_700_000_000;
        let now = Utc.timestamp_opt(t + 60, 0).unwrap();
        let h = header("s3cr3t-value", t, body);
        verify_signature(&secret, &h, body, now, TOL).unwrap();
        // A rotated secret: either v1 may match.
        let rotated = format!(
            "{},v1={}",
            header("old", t, body),
            &h[h.find("v1=").unwrap() + 3..]
        );
        verify_signature(&secret, &rotated, body, now, TOL).unwrap();

        let tampered = br#"{"id":"evt_1","type":"post.failed"}"#;
        let err = verify_signature(&secret, &h, tampered, now, TOL).unwrap_err();
        assert!(err.to_string().contains("no signature matches"), "{err}");
        assert!(verify_signature(&"other".into(), &h, body, now, TOL).is_err());
        // Old (or far-future) timestamps are refused even when signed.
        let late = Utc.timestamp_opt(t + 301, 0).unwrap();
        let err = verify_signature(&secret, &h, body, late, TOL).unwrap_err();
        assert!(err.to_string().contains("301 s"), "{err}");
        let early = Utc.timestamp_opt(t - 301, 0).unwrap();
        assert!(verify_signature(&secret, &h, body, early, TOL).is_err());
        // The timestamp is signed: moving it breaks the signature.
        let moved = h.replace(&t.to_string(), &(t + 60).to_string());
        assert!(verify_signature(&secret, &moved, body, now, TOL).is_err());
        assert!(!err.to_string().contains("s3cr3t"));
    }

    #[test]
    fn malformed_headers_are_typed_errors() {
        let secret: Secret<String> = "k".into();
        let now = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        for h in [
            "",
            "t=",
            "t=abc,v1=00",
            "v1=00",
            "t=1700000000",
            "t=1700000000,v1=zz",
            ",,,=,",
        ] {
            let err = verify_signature(&secret, h, b"{}", now, TOL).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }), "{h}: {err}");
        }
    }

    #[test]
    fn the_builder_refuses_bad_urls_and_hides_the_secret() {
        for url in ["not a url", "ftp://example.com/x", "file:///etc/passwd"] {
            assert!(WebhookSink::builder(url, "k").build().is_err(), "{url}");
        }
        assert!(
            WebhookSink::builder("https://example.com/h", "")
                .build()
                .is_err()
        );
        let sink = WebhookSink::builder("https://example.com/h", "very-secret-key")
            .build()
            .unwrap();
        assert!(!format!("{sink:?}").contains("very-secret-key"));
    }
}
