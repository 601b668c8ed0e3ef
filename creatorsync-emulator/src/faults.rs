//! Fault injection, set per platform and route, applied by one middleware
//! in front of every platform router. The same middleware logs every
//! request in the [`Record`](crate::Record) (see
//! [`RequestRecord`](crate::RequestRecord)).
//!
//! Which fault leaves the client with which outcome:
//!
//! | kind | handler runs (effect committed) | the client sees |
//! |---|---|---|
//! | `Fail`, `RateLimit` | no | the platform's error answer |
//! | `Latency` | yes, after the delay | the answer, late; a client that gives up during the delay leaves nothing done |
//! | `ResetAfterBytes` | yes, with a cut body | a connection reset |
//! | `LoseResponse` | yes | a connection reset (closed socket) right after |
//! | `Hang` | yes | nothing: the connection stays open until the client times out |
//! | `FailProcessing` | yes | a media processing that ends failed |

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use creatorsync_core::Platform;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::Ctx;
use crate::server::ConnKill;

/// What a fault does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer with this status and the platform's own error body.
    Fail {
        /// HTTP status.
        status: u16,
    },
    /// Answer 429 with `Retry-After` and the platform's rate-limit headers.
    RateLimit {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// Cut the connection after this many request-body bytes.
    ResetAfterBytes {
        /// Bytes let through first.
        bytes: u64,
    },
    /// Handle the request (e.g. commit the post), then drop the connection
    /// instead of answering: the client sees a reset at once.
    LoseResponse,
    /// Handle the request (commit its effect), then never answer and keep
    /// the connection open: the client sees its own timeout, not a reset.
    Hang,
    /// Wait before handling (the handler has not run while the client
    /// waits: a client that gives up meanwhile leaves nothing done).
    Latency {
        /// Milliseconds.
        millis: u64,
    },
    /// Make the next media processing of the platform fail (consumed by the
    /// platform's processing state machine, not by the middleware; `skip`
    /// counts processings, the request matchers do not apply).
    FailProcessing,
}

/// A fault rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// What to do.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Only requests whose path contains this string (None: all).
    #[serde(default)]
    pub path_contains: Option<String>,
    /// Only this HTTP method (None: all).
    #[serde(default)]
    pub method: Option<String>,
    /// Only requests whose [`RequestRecord::route`](crate::RequestRecord)
    /// label is exactly this (None: all).
    #[serde(default)]
    pub route: Option<String>,
    /// Let this many matching requests pass untouched first, counted from
    /// the moment the rule is injected (None: none). Decreases as they pass.
    #[serde(default)]
    pub skip: Option<u32>,
    /// How many requests it applies to (None: until cleared).
    #[serde(default)]
    pub times: Option<u32>,
}

impl Fault {
    /// A fault applying to every request of the platform, once.
    pub fn once(kind: FaultKind) -> Self {
        Self {
            kind,
            path_contains: None,
            method: None,
            route: None,
            skip: None,
            times: Some(1),
        }
    }

    /// Applies `n` times.
    #[must_use]
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    /// Applies until cleared.
    #[must_use]
    pub fn always(mut self) -> Self {
        self.times = None;
        self
    }

    /// Only for paths containing `s`.
    #[must_use]
    pub fn on_path(mut self, s: impl Into<String>) -> Self {
        self.path_contains = Some(s.into());
        self
    }

    /// Only for `method`.
    #[must_use]
    pub fn on_method(mut self, m: impl Into<String>) -> Self {
        self.method = Some(m.into());
        self
    }

    /// Only for requests whose route label is exactly `route` (as logged in
    /// [`RequestRecord::route`](crate::RequestRecord)).
    #[must_use]
    pub fn on_route(mut self, route: impl Into<String>) -> Self {
        self.route = Some(route.into());
        self
    }

    /// Lets the first `n` matching requests pass, so the fault hits the
    /// `n+1`-th: `Fault::once(kind).on_route(r).after(2)` hits the third
    /// request to `r` from now on.
    #[must_use]
    pub fn after(mut self, n: u32) -> Self {
        self.skip = Some(n);
        self
    }

    fn matches(&self, method: &str, path_and_query: &str, route: &str) -> bool {
        self.path_contains
            .as_deref()
            .is_none_or(|p| path_and_query.contains(p))
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.route.as_deref().is_none_or(|r| r == route)
    }

    /// Counts one matching event against `skip`: whether it passes untouched.
    fn skips(&mut self) -> bool {
        match self.skip.as_mut() {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    rules: Vec<(Platform, Fault)>,
    unreachable_hosts: BTreeSet<String>,
}

/// The fault table.
#[derive(Debug, Default)]
pub struct Faults {
    inner: Mutex<Inner>,
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds a rule for `platform`.
    pub fn inject(&self, platform: Platform, fault: Fault) {
        self.lock().rules.push((platform, fault));
    }

    /// Removes every rule of `platform`.
    pub fn clear(&self, platform: Platform) {
        self.lock().rules.retain(|(p, _)| *p != platform);
    }

    /// Removes every rule and unreachable host.
    pub fn clear_all(&self) {
        let mut inner = self.lock();
        inner.rules.clear();
        inner.unreachable_hosts.clear();
    }

    /// The faults that apply to this request (consuming counted ones),
    /// except `FailProcessing`. `route` is the request's route label.
    pub fn take(
        &self,
        platform: Platform,
        method: &str,
        path_and_query: &str,
        route: &str,
    ) -> Vec<FaultKind> {
        let mut inner = self.lock();
        let mut out = Vec::new();
        for (p, f) in &mut inner.rules {
            if *p != platform
                || f.kind == FaultKind::FailProcessing
                || f.times == Some(0)
                || !f.matches(method, path_and_query, route)
                || f.skips()
            {
                continue;
            }
            if let Some(t) = f.times.as_mut() {
                *t -= 1;
            }
            out.push(f.kind.clone());
        }
        inner.rules.retain(|(_, f)| f.times != Some(0));
        out
    }

    /// Consumes one `FailProcessing` rule of `platform`, if any.
    pub fn take_processing_failure(&self, platform: Platform) -> bool {
        let mut inner = self.lock();
        let pos = inner.rules.iter_mut().position(|(p, f)| {
            *p == platform
                && f.kind == FaultKind::FailProcessing
                && f.times != Some(0)
                && !f.skips()
        });
        let Some(pos) = pos else { return false };
        if let Some(t) = inner.rules[pos].1.times.as_mut() {
            *t -= 1;
        }
        inner.rules.retain(|(_, f)| f.times != Some(0));
        true
    }

    /// Makes `host` (as `host:port`) unreachable for the emulator's own
    /// fetches of `image_url` / `video_url`.
    pub fn set_host_unreachable(&self, host: impl Into<String>, unreachable: bool) {
        let host = host.into();
        let mut inner = self.lock();
        if unreachable {
            inner.unreachable_hosts.insert(host);
        } else {
            inner.unreachable_hosts.remove(&host);
        }
    }

    /// Whether `host:port` was made unreachable.
    pub fn is_host_unreachable(&self, host: &str) -> bool {
        self.lock().unreachable_hosts.contains(host)
    }
}

/// The platform's own error answer for `status` with `message`.
pub fn error_response(platform: Platform, status: u16, message: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let reason = code.canonical_reason().unwrap_or("Error");
    let trace = crate::tokens::random_token("", 8);
    let body = match platform {
        Platform::X => {
            json!({"title": reason, "detail": message, "type": "about:blank", "status": status})
        }
        Platform::LinkedIn => {
            json!({"status": status, "serviceErrorCode": 0, "code": reason.to_ascii_uppercase().replace(' ', "_"), "message": message})
        }
        Platform::Facebook | Platform::Instagram => {
            let (code, kind) = match status {
                429 => (32, "OAuthException"),
                500..=599 => (2, "OAuthException"),
                _ => (1, "OAuthException"),
            };
            json!({"error": {"message": message, "type": kind, "code": code, "fbtrace_id": trace}})
        }
        Platform::YouTube => {
            let r = match status {
                429 => "rateLimitExceeded",
                500..=599 => "backendError",
                _ => "badRequest",
            };
            json!({"error": {"code": status, "message": message, "errors": [{"message": message, "domain": "global", "reason": r}], "status": reason.to_ascii_uppercase().replace(' ', "_")}})
        }
        Platform::TikTok => {
            let c = match status {
                429 => "rate_limit_exceeded",
                401 => "access_token_invalid",
                500..=599 => "internal_error",
                _ => "invalid_params",
            };
            json!({"data": {}, "error": {"code": c, "message": message, "log_id": trace}})
        }
    };
    (code, axum::Json(body)).into_response()
}

/// The platform's 429 answer, with its rate-limit headers.
pub fn rate_limit_response(platform: Platform, retry_after_secs: u64, now_unix: i64) -> Response {
    let mut resp = error_response(platform, 429, "Too Many Requests");
    let h: &mut HeaderMap = resp.headers_mut();
    let v = |s: String| HeaderValue::from_str(&s).unwrap_or(HeaderValue::from_static("0"));
    h.insert("retry-after", v(retry_after_secs.to_string()));
    match platform {
        Platform::X => {
            h.insert("x-rate-limit-limit", v("100".into()));
            h.insert("x-rate-limit-remaining", v("0".into()));
            let reset = now_unix + i64::try_from(retry_after_secs).unwrap_or(0);
            h.insert("x-rate-limit-reset", v(reset.to_string()));
        }
        Platform::Facebook | Platform::Instagram => {
            let minutes = retry_after_secs.div_ceil(60);
            h.insert(
                "x-business-use-case-usage",
                v(json!({"0": [{"type": "pages", "call_count": 100, "total_cputime": 100, "total_time": 100, "estimated_time_to_regain_access": minutes}]}).to_string()),
            );
        }
        _ => {}
    }
    resp
}

/// How a request ends.
enum Outcome {
    /// Send this answer.
    Answer(Response),
    /// Drop the connection without answering.
    Drop(ConnKill),
    /// Never answer; keep the connection open.
    Hang,
}

/// The middleware: logs the request, then applies latency, failures, rate
/// limits, connection resets, lost responses and hangs for the platform the
/// router serves.
pub(crate) async fn apply(
    State((ctx, platform)): State<(Ctx, Platform)>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let pq = req.uri().path_and_query().map_or(path, |p| p.as_str());
    let route = crate::record::route_label(
        req.extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str),
        path,
    );
    let method = req.method().as_str();
    let faults = ctx.faults.take(platform, method, pq, &route);
    let seq = ctx.record.begin_request(
        platform,
        method.to_owned(),
        path.to_owned(),
        route,
        ctx.clock.now(),
    );
    let outcome = if faults.is_empty() {
        Outcome::Answer(next.run(req).await)
    } else {
        inject(&ctx, platform, &faults, req, next).await
    };
    match outcome {
        Outcome::Answer(resp) => {
            let served = resp
                .headers()
                .get(crate::record::VERSION_SERVED_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            ctx.record
                .answer_request(seq, resp.status().as_u16(), served);
            resp
        }
        Outcome::Drop(kill) => {
            kill.kill();
            // Never answer: the connection task drops the socket.
            std::future::pending().await
        }
        // The connection stays open until the client gives up (hyper then
        // drops this future) or the emulator shuts down.
        Outcome::Hang => std::future::pending().await,
    }
}

/// Runs the request through `faults`.
async fn inject(
    ctx: &Ctx,
    platform: Platform,
    faults: &[FaultKind],
    req: Request,
    next: Next,
) -> Outcome {
    let kill = req.extensions().get::<ConnKill>().cloned();
    let mut lose = false;
    let mut hang = false;
    let mut reset_after = None;
    for f in faults {
        match f {
            FaultKind::Latency { millis } => {
                tokio::time::sleep(Duration::from_millis(*millis)).await;
            }
            FaultKind::Fail { status } => {
                return Outcome::Answer(error_response(
                    platform,
                    *status,
                    "Injected failure (emulator fault)",
                ));
            }
            FaultKind::RateLimit { retry_after_secs } => {
                return Outcome::Answer(rate_limit_response(
                    platform,
                    *retry_after_secs,
                    ctx.clock.unix(),
                ));
            }
            FaultKind::ResetAfterBytes { bytes } => reset_after = Some(*bytes),
            FaultKind::LoseResponse => lose = true,
            FaultKind::Hang => hang = true,
            FaultKind::FailProcessing => {}
        }
    }
    let cut = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let req = match (reset_after, kill.clone()) {
        (Some(limit), Some(_)) => {
            let (parts, body) = req.into_parts();
            let mut seen = 0u64;
            let cut = cut.clone();
            // Pieces pass until the limit would be crossed; then the body
            // ends with an error, so the handler never sees a silently
            // truncated body as complete. The connection is killed once
            // the handler has returned (killing it here would drop the
            // handler before it could record the incomplete chunk).
            let limited = body.into_data_stream().flat_map(move |piece| {
                let reset = || {
                    Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "emulator reset",
                    ))
                };
                let out: Vec<Result<bytes::Bytes, std::io::Error>> = match piece {
                    Err(e) => vec![Err(std::io::Error::other(e))],
                    Ok(_) if seen >= limit => vec![reset()],
                    Ok(piece) if seen + piece.len() as u64 > limit => {
                        // Let the bytes up to the limit through, then cut.
                        cut.store(true, std::sync::atomic::Ordering::SeqCst);
                        let keep = usize::try_from(limit - seen).unwrap_or(0);
                        seen = limit;
                        vec![Ok(piece.slice(..keep)), reset()]
                    }
                    Ok(piece) => {
                        seen += piece.len() as u64;
                        vec![Ok(piece)]
                    }
                };
                futures::stream::iter(out)
            });
            Request::from_parts(parts, Body::from_stream(limited))
        }
        _ => req,
    };
    let resp = next.run(req).await;
    match kill {
        Some(kill) if lose || kill.is_killed() || cut.load(std::sync::atomic::Ordering::SeqCst) => {
            Outcome::Drop(kill)
        }
        _ if hang => Outcome::Hang,
        _ => Outcome::Answer(resp),
    }
}
