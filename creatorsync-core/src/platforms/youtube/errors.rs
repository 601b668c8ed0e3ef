//! Google's error answers:
//! `{"error":{"code","message","errors":[{"reason","domain"}]}}`.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::America::Los_Angeles;

use crate::Error;
use crate::http::{ErrorBody, next_utc_midnight};

/// Next midnight in Pacific time (`America/Los_Angeles`), when YouTube's
/// daily quotas reset.
pub(crate) fn next_pacific_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&Los_Angeles).date_naive();
    let next = local.succ_opt().unwrap_or(local);
    // Midnight exists every day in this zone (its DST shifts happen at
    // 02:00), so the earliest mapping is the only one.
    Los_Angeles
        .from_local_datetime(&next.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map_or(now + chrono::Duration::days(1), |t| t.with_timezone(&Utc))
}

/// Google's answer as an [`Error`].
pub(super) fn map(b: &ErrorBody<'_>) -> Error {
    let message = b.s("/error/message").unwrap_or_else(|| b.excerpt());
    let reason = b.s("/error/errors/0/reason");
    let daily = message.contains("per day");
    match (b.status, reason.as_deref()) {
        (401, _) => b.reauth(format!("Google refused the token: {message}")),
        (_, Some("quotaExceeded" | "dailyLimitExceeded")) => {
            b.exhausted("units", next_pacific_midnight(Utc::now()), message)
        }
        (_, Some("uploadLimitExceeded")) => {
            b.exhausted("channel_uploads", next_utc_midnight(Utc::now()), message)
        }
        // Since 2026-06-01 `videos.insert` has its own daily bucket; over
        // it Google answers 429 rateLimitExceeded "... per day": a daily
        // limit, not a short one.
        (_, Some("rateLimitExceeded" | "userRateLimitExceeded")) | (429, _) if daily => {
            b.exhausted("uploads", next_pacific_midnight(Utc::now()), message)
        }
        (_, Some("rateLimitExceeded" | "userRateLimitExceeded")) | (429, _) => {
            b.limited(b.retry_after(), None, message)
        }
        _ => b.generic(reason, message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacific_midnight_follows_the_zone_across_dst() {
        // 2026-03-08 is the spring-forward day, 2026-11-01 the fall-back day.
        let cases = [
            ("2026-03-08T07:59:00Z", "2026-03-08T08:00:00Z"),
            ("2026-03-08T09:00:00Z", "2026-03-09T07:00:00Z"),
            ("2026-03-07T12:00:00Z", "2026-03-08T08:00:00Z"),
            ("2026-11-01T06:30:00Z", "2026-11-01T07:00:00Z"),
            ("2026-11-01T08:30:00Z", "2026-11-02T08:00:00Z"),
            ("2026-10-31T12:00:00Z", "2026-11-01T07:00:00Z"),
            ("2026-12-04T15:00:00Z", "2026-12-05T08:00:00Z"),
        ];
        for (now, want) in cases {
            let now: DateTime<Utc> = now.parse().unwrap();
            assert_eq!(
                next_pacific_midnight(now).to_rfc3339(),
                want.parse::<DateTime<Utc>>().unwrap().to_rfc3339(),
                "{now}"
            );
        }
    }
}
