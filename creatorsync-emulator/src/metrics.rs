//! Post metrics the emulator serves (issue 20): every counter is
//! deterministic from the post id and the metric's name, and grows with the
//! emulator clock from the post's creation, so tests can assert exact
//! values, and that a later read reports more than an earlier one.
//!
//! Each platform's analytics route picks the metrics the real platform
//! reports and leaves out the ones it does not (X has no reach, TikTok no
//! saves, ...); the SDK must turn those into "not reported", never 0.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::record::RecordedPost;

/// The largest hourly growth of any counter (views); every other metric
/// grows by a fraction of it, per [`share`].
const MAX_PER_HOUR: u64 = 600;

/// How large a metric is next to the views of the same post, in percent.
fn share(metric: &str) -> u64 {
    match metric {
        "views" | "watch_secs" => 100,
        "watch_minutes" => 20,
        "reach" => 60,
        "likes" => 12,
        "clicks" => 5,
        "comments" | "shares" | "saves" => 3,
        // Quotes, sends, profile clicks and the like.
        _ => 1,
    }
}

/// The counter `metric` of `post_id` at `now`: `seed % 5 +` a per-post
/// hourly rate times the hours since `created` (minute resolution).
pub(crate) fn count(
    post_id: &str,
    metric: &str,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
) -> u64 {
    let digest = Sha256::digest(format!("{post_id}\u{1f}{metric}").as_bytes());
    let mut seed = [0u8; 8];
    seed.copy_from_slice(&digest[..8]);
    let seed = u64::from_le_bytes(seed);
    let per_hour = (1 + seed % MAX_PER_HOUR) * share(metric) / 100 + 1;
    let minutes = u64::try_from((now - created).num_minutes()).unwrap_or(0);
    seed % 5 + per_hour * minutes / 60
}

/// [`count`] for a recorded post.
pub(crate) fn of(post: &RecordedPost, metric: &str, now: DateTime<Utc>) -> u64 {
    count(&post.post_id, metric, post.created_at, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_deterministic_and_grow_with_the_clock() {
        let t0 = DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let later = t0 + chrono::Duration::hours(5);
        assert_eq!(
            count("p1", "views", t0, later),
            count("p1", "views", t0, later)
        );
        assert!(count("p1", "views", t0, later) > count("p1", "views", t0, t0));
        assert!(
            count("p1", "views", t0, t0) < 5,
            "a new post starts near zero"
        );
        assert_ne!(
            count("p1", "views", t0, later),
            count("p2", "views", t0, later)
        );
    }
}
