//! Polling a processing status until it settles: backoff, the platform's
//! own "check after" hint, a deadline, and cancellation safety (dropping the
//! future stops polling; no state is left behind).

use std::future::Future;
use std::time::{Duration, Instant};

use crate::{Error, Platform, Result};

/// Polling policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollConfig {
    /// First wait.
    pub initial: Duration,
    /// Longest wait between two checks.
    pub max_interval: Duration,
    /// Give up after this long.
    pub deadline: Duration,
}

impl Default for PollConfig {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(250),
            max_interval: Duration::from_secs(30),
            deadline: Duration::from_secs(15 * 60),
        }
    }
}

/// One observation of a processing status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Poll<T> {
    /// Finished; the value is the result.
    Ready(T),
    /// Still going; `state` for progress, `check_after` when the platform
    /// says when to look again.
    Pending {
        /// The platform's state name.
        state: String,
        /// The platform's hint.
        check_after: Option<Duration>,
    },
}

/// Calls `check` until it returns `Ready` or an error, waiting between
/// checks (the platform's hint, else exponential backoff from
/// `cfg.initial`, capped at `cfg.max_interval`). `on_pending` sees each
/// pending state (for progress). Past `cfg.deadline`: [`Error::Timeout`].
pub(crate) async fn poll_until<T, F, Fut>(
    platform: Platform,
    what: &str,
    cfg: &PollConfig,
    mut on_pending: impl FnMut(&str),
    mut check: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>>>,
{
    let started = Instant::now();
    let mut wait = cfg.initial;
    loop {
        match check().await? {
            Poll::Ready(v) => return Ok(v),
            Poll::Pending { state, check_after } => {
                on_pending(&state);
                let next = check_after.unwrap_or(wait).min(cfg.max_interval);
                if started.elapsed() + next > cfg.deadline {
                    return Err(Error::Timeout {
                        platform: Some(platform),
                        what: format!(
                            "{what} still {state} after {}s",
                            started.elapsed().as_secs()
                        ),
                    });
                }
                tokio::time::sleep(next).await;
                wait = (wait * 2).min(cfg.max_interval);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn polls_until_ready_and_times_out() {
        let cfg = PollConfig {
            initial: Duration::from_millis(1),
            max_interval: Duration::from_millis(2),
            deadline: Duration::from_secs(5),
        };
        let mut n = 0;
        let mut seen = Vec::new();
        let v = poll_until(
            Platform::X,
            "media",
            &cfg,
            |s| seen.push(s.to_owned()),
            || {
                n += 1;
                let r = if n < 3 {
                    Poll::Pending {
                        state: "in_progress".into(),
                        check_after: None,
                    }
                } else {
                    Poll::Ready(n)
                };
                async move { Ok(r) }
            },
        )
        .await
        .unwrap();
        assert_eq!(v, 3);
        assert_eq!(seen.len(), 2);

        let cfg = PollConfig {
            deadline: Duration::from_millis(5),
            ..cfg
        };
        let e = poll_until::<(), _, _>(
            Platform::TikTok,
            "video",
            &cfg,
            |_| {},
            || async {
                Ok(Poll::Pending {
                    state: "PROCESSING_UPLOAD".into(),
                    check_after: Some(Duration::from_millis(3)),
                })
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(e, Error::Timeout { .. }), "{e}");
    }
}
