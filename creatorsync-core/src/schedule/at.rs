//! When a scheduled post is due: an instant, or a wall-clock time in an
//! IANA zone, resolved to one UTC instant with a fixed DST rule.
//!
//! The rule, for a local time the zone's clocks skip or show twice:
//!
//! * **Gap** (spring forward: 02:30 on 2026-03-29 in Europe/Berlin does
//!   not exist): the time moves forward by the gap's length, to what the
//!   clocks show once they jumped (03:30 CEST, 01:30 UTC). The post goes
//!   out at the first real instant at or after the one asked for, never an
//!   hour early.
//! * **Overlap** (fall back: 02:30 on 2026-10-25 happens twice): the
//!   first occurrence (02:30 CEST, 00:30 UTC), as a calendar app shows it.
//!
//! The zone and the local time are kept beside the instant, so a view and
//! a reschedule by local time say what the caller asked for.

use chrono::{DateTime, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// When to publish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScheduleAt {
    /// At this instant.
    Instant(DateTime<Utc>),
    /// At this wall-clock time in `zone` ("09:00 Europe/Berlin" stays 09:00
    /// across the DST change); see the module docs for gaps and overlaps.
    Local {
        /// The local date and time.
        time: NaiveDateTime,
        /// The IANA zone.
        zone: Tz,
    },
}

impl From<DateTime<Utc>> for ScheduleAt {
    fn from(at: DateTime<Utc>) -> Self {
        ScheduleAt::Instant(at)
    }
}

impl ScheduleAt {
    /// A local time in the zone named `zone` (`Europe/Berlin`); an unknown
    /// name is [`crate::Error::InvalidInput`].
    pub fn local(time: NaiveDateTime, zone: &str) -> crate::Result<Self> {
        let zone: Tz = zone.parse().map_err(|_| {
            crate::Error::invalid_input("zone", format!("unknown time zone {zone:?}"))
        })?;
        Ok(ScheduleAt::Local { time, zone })
    }

    /// The UTC instant (DST rule in the module docs).
    pub fn instant(&self) -> DateTime<Utc> {
        match *self {
            ScheduleAt::Instant(at) => at,
            ScheduleAt::Local { time, zone } => resolve(zone, time),
        }
    }

    /// The zone name, for a local time.
    pub(crate) fn zone_name(&self) -> Option<String> {
        match self {
            ScheduleAt::Instant(_) => None,
            ScheduleAt::Local { zone, .. } => Some(zone.name().to_owned()),
        }
    }

    /// The local time asked for, for a local time.
    pub(crate) fn local_time(&self) -> Option<NaiveDateTime> {
        match self {
            ScheduleAt::Instant(_) => None,
            ScheduleAt::Local { time, .. } => Some(*time),
        }
    }
}

/// `time` in `zone` as one instant: the earlier reading of a time shown
/// twice, and a skipped time read with the offset in force before the jump
/// (which lands after it by the gap's length).
fn resolve(zone: Tz, time: NaiveDateTime) -> DateTime<Utc> {
    if let Some(at) = zone.from_local_datetime(&time).earliest() {
        return at.with_timezone(&Utc);
    }
    // A gap: no real gap lasts a day, so a day earlier has one reading.
    let before = zone
        .from_local_datetime(&(time - Duration::days(1)))
        .earliest()
        .map_or(0, |t| t.offset().fix().local_minus_utc());
    Utc.from_utc_datetime(&(time - Duration::seconds(i64::from(before))))
}

#[cfg(test)]
mod tests {
    use chrono_tz::Europe::Berlin;

    use super::*;

    fn local(s: &str) -> ScheduleAt {
        ScheduleAt::Local {
            time: s.parse().unwrap(),
            zone: Berlin,
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn nine_in_berlin_stays_nine_across_the_change() {
        assert_eq!(
            local("2026-03-28T09:00:00").instant(),
            utc("2026-03-28T08:00:00Z")
        );
        assert_eq!(
            local("2026-03-30T09:00:00").instant(),
            utc("2026-03-30T07:00:00Z")
        );
    }

    #[test]
    fn a_skipped_time_moves_forward_by_the_gap() {
        // 02:30 does not exist on 2026-03-29: the clocks jump 02:00 -> 03:00.
        let at = local("2026-03-29T02:30:00").instant();
        assert_eq!(at, utc("2026-03-29T01:30:00Z"));
        assert_eq!(
            at.with_timezone(&Berlin).to_string(),
            "2026-03-29 03:30:00 CEST"
        );
    }

    #[test]
    fn a_time_shown_twice_is_its_first_occurrence() {
        // 02:30 happens twice on 2026-10-25 (CEST, then CET).
        assert_eq!(
            local("2026-10-25T02:30:00").instant(),
            utc("2026-10-25T00:30:00Z")
        );
    }

    #[test]
    fn an_unknown_zone_is_invalid_input() {
        let err =
            ScheduleAt::local("2026-01-01T09:00:00".parse().unwrap(), "Mars/Olympus").unwrap_err();
        assert_eq!(err.code(), "INVALID_INPUT");
    }
}
