//! How a quota's window moves: a rolling span (Instagram's 24 hours, X's 15
//! minutes) or a calendar day in a time zone (YouTube's Pacific day,
//! LinkedIn's UTC day).

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// A quota window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Window {
    /// The last `span` before now: a slot frees when its use is `span` old.
    Rolling(Duration),
    /// The calendar day in `zone`: every slot frees at the zone's midnight
    /// (DST-correct: a 23- or 25-hour day is one day).
    Day(Tz),
}

impl Window {
    /// The earliest instant whose use still counts at `now`.
    pub(crate) fn start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Window::Rolling(span) => now - *span,
            Window::Day(zone) => local_midnight(*zone, now.with_timezone(zone).date_naive()),
        }
    }

    /// When a slot frees up, given the oldest use still in the window.
    pub(crate) fn frees_at(&self, now: DateTime<Utc>, oldest: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Window::Rolling(span) => oldest + *span,
            Window::Day(zone) => {
                let tomorrow = now.with_timezone(zone).date_naive() + Duration::days(1);
                local_midnight(*zone, tomorrow)
            }
        }
    }

    /// A short description for views (`rolling 24h`, `day America/Los_Angeles`).
    pub(crate) fn describe(&self) -> String {
        match self {
            Window::Rolling(span) if span.num_seconds() % 3600 == 0 => {
                format!("rolling {}h", span.num_hours())
            }
            Window::Rolling(span) if span.num_seconds() % 60 == 0 => {
                format!("rolling {}min", span.num_minutes())
            }
            Window::Rolling(span) => format!("rolling {}s", span.num_seconds()),
            Window::Day(zone) => format!("day {}", zone.name()),
        }
    }
}

/// The first instant of `day` in `zone` (midnight, or the first valid time
/// after it when a DST jump skips midnight).
fn local_midnight(zone: Tz, day: chrono::NaiveDate) -> DateTime<Utc> {
    let mut t = day.and_time(NaiveTime::MIN);
    for _ in 0..4 {
        if let Some(local) = zone.from_local_datetime(&t).earliest() {
            return local.with_timezone(&Utc);
        }
        t += Duration::minutes(30);
    }
    // Unreachable for real zones (no gap is longer than two hours); fall
    // back to the UTC reading of the date rather than panicking.
    Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN))
}

#[cfg(test)]
mod tests {
    use chrono_tz::America::Los_Angeles;

    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_pacific_day_starts_and_ends_at_local_midnight_across_dst() {
        let w = Window::Day(Los_Angeles);
        // 2026-03-08 is the spring-forward day: 23 hours long.
        let now = at("2026-03-08T12:00:00Z");
        assert_eq!(w.start(now), at("2026-03-08T08:00:00Z"));
        assert_eq!(w.frees_at(now, now), at("2026-03-09T07:00:00Z"));
        // 2026-11-01 falls back: 25 hours.
        let now = at("2026-11-01T12:00:00Z");
        assert_eq!(w.start(now), at("2026-11-01T07:00:00Z"));
        assert_eq!(w.frees_at(now, now), at("2026-11-02T08:00:00Z"));
    }

    #[test]
    fn a_rolling_window_frees_a_slot_when_the_oldest_use_ages_out() {
        let w = Window::Rolling(Duration::hours(24));
        let now = at("2026-12-04T10:00:00Z");
        assert_eq!(w.start(now), at("2026-12-03T10:00:00Z"));
        assert_eq!(
            w.frees_at(now, at("2026-12-03T18:30:00Z")),
            at("2026-12-04T18:30:00Z")
        );
        assert_eq!(w.describe(), "rolling 24h");
        assert_eq!(
            Window::Rolling(Duration::minutes(15)).describe(),
            "rolling 15min"
        );
    }
}
