//! The platforms' version calendars, read on the emulator clock: which
//! `LinkedIn-Version` months are active and which Graph API versions are
//! released or expired on a given day. Dates are the published ones
//! (docs/emulator-contract.md lists them with their sources); a version the
//! tables do not name follows the platform's published rule.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc, Weekday};

/// A calendar day as (year, month, day).
type Ymd = (i32, u32, u32);

/// Published LinkedIn sunsets (`YYYYMM` -> last day is the day before).
/// Source: LinkedIn Marketing API versioning and migrations pages, as
/// summarised in issue 16 (checked 2026-12).
const LINKEDIN_SUNSETS: &[(&str, Ymd)] = &[
    ("202505", (2026, 5, 15)),
    ("202510", (2026, 10, 15)),
    ("202511", (2026, 11, 16)),
    ("202601", (2027, 1, 15)),
    ("202603", (2027, 3, 16)),
];

fn date((y, m, d): Ymd) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The first day of a `YYYYMM` LinkedIn version's month, or None when
/// `version` is not six digits naming a month.
fn linkedin_release(version: &str) -> Option<NaiveDate> {
    if version.len() != 6 || !version.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year = version.get(..4)?.parse().ok()?;
    let month = version.get(4..)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, 1)
}

/// The day a LinkedIn version stops answering: the published date, else
/// the 15th of the same month one year later (versions live "a minimum of
/// one year"; every published sunset falls on the 15th or 16th).
pub(crate) fn linkedin_sunset(version: &str) -> Option<NaiveDate> {
    let release = linkedin_release(version)?;
    if let Some((_, d)) = LINKEDIN_SUNSETS.iter().find(|(v, _)| *v == version) {
        return date(*d);
    }
    NaiveDate::from_ymd_opt(release.year() + 1, release.month(), 15)
}

/// Whether `version` answers on `today`: released (its month has begun)
/// and not yet sunset.
pub(crate) fn linkedin_active(version: &str, today: NaiveDate) -> bool {
    match (linkedin_release(version), linkedin_sunset(version)) {
        (Some(release), Some(sunset)) => release <= today && today < sunset,
        _ => false,
    }
}

/// Graph API versions with their release day and, where published, the
/// day they expire. Meta keeps a version at least two years, until two
/// years after the next version's release; the newest versions have no
/// published expiry yet and are computed by that rule.
/// Sources: developers.facebook.com/docs/graph-api/changelog (versions
/// table), as summarised in issue 16 (checked 2026-12).
const GRAPH_VERSIONS: &[(u32, Ymd, Option<Ymd>)] = &[
    (19, (2024, 1, 23), None),
    (20, (2024, 5, 21), None),
    (21, (2024, 10, 2), Some((2027, 1, 21))),
    (22, (2025, 1, 21), None),
    (23, (2025, 5, 29), None),
    (24, (2025, 10, 8), None),
    (25, (2026, 2, 18), Some((2028, 7, 29))),
    (26, (2026, 7, 29), None),
    (27, (2026, 11, 4), None),
];

/// Where a Graph API version stands on a given day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum GraphVersion {
    /// Released and not expired: served as asked.
    Live,
    /// Expired: Meta serves the oldest live version instead (named here).
    Expired {
        /// The version actually served, e.g. `v22.0`.
        served: String,
    },
    /// Not released (newer than the newest version on that day).
    Unreleased,
}

/// The major number of a `vNN.0` version string.
fn graph_major(version: &str) -> Option<u32> {
    let (major, minor) = version.strip_prefix('v')?.split_once('.')?;
    (minor == "0").then_some(())?;
    major.parse().ok()
}

/// Release and expiry of Graph version `major` (expiry None: unknown yet,
/// i.e. no successor released in the table).
fn graph_dates(major: u32) -> Option<(NaiveDate, Option<NaiveDate>)> {
    let i = GRAPH_VERSIONS.iter().position(|(m, _, _)| *m == major)?;
    let (_, release, expiry) = GRAPH_VERSIONS[i];
    let expiry = match expiry {
        Some(e) => date(e),
        None => GRAPH_VERSIONS
            .get(i + 1)
            .and_then(|(_, next, _)| date(*next))
            .and_then(|n| n.checked_add_months(Months::new(24))),
    };
    Some((date(release)?, expiry))
}

/// Where Graph version `version` (`v21.0`) stands on `today`. Versions
/// older than the table are expired; a well-formed version newer than
/// the table is unreleased.
pub(crate) fn graph_version(version: &str, today: NaiveDate) -> GraphVersion {
    let oldest_live = || {
        GRAPH_VERSIONS
            .iter()
            .find(|(m, _, _)| {
                graph_dates(*m).is_some_and(|(r, e)| r <= today && e.is_none_or(|e| today < e))
            })
            .map_or_else(|| "v27.0".to_owned(), |(m, _, _)| format!("v{m}.0"))
    };
    let Some(major) = graph_major(version) else {
        return GraphVersion::Unreleased;
    };
    let (first, _, _) = GRAPH_VERSIONS[0];
    if major < first {
        return GraphVersion::Expired {
            served: oldest_live(),
        };
    }
    match graph_dates(major) {
        None => GraphVersion::Unreleased,
        Some((release, _)) if today < release => GraphVersion::Unreleased,
        Some((_, Some(expiry))) if today >= expiry => GraphVersion::Expired {
            served: oldest_live(),
        },
        Some(_) => GraphVersion::Live,
    }
}

/// The newest Graph version released on `today`.
pub(crate) fn newest_graph_version(today: NaiveDate) -> String {
    GRAPH_VERSIONS
        .iter()
        .rev()
        .find(|(_, r, _)| date(*r).is_some_and(|r| r <= today))
        .map_or_else(|| "v21.0".to_owned(), |(m, _, _)| format!("v{m}.0"))
}

/// The `n`-th `weekday` of `month` (1-based).
fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u8) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n)
}

/// The calendar day in America/Los_Angeles at `now` (Google's quota day).
/// US rule since 2007: daylight time (UTC-7) from the second Sunday of
/// March, 02:00 local (10:00 UTC), to the first Sunday of November, 02:00
/// local (09:00 UTC); standard time (UTC-8) otherwise.
pub(crate) fn pacific_day(now: DateTime<Utc>) -> NaiveDate {
    let year = now.year();
    let at = |d: Option<NaiveDate>, hour: u32| {
        d.and_then(|d| d.and_hms_opt(hour, 0, 0))
            .map(|t| t.and_utc())
    };
    let dst_start = at(nth_weekday(year, 3, Weekday::Sun, 2), 10);
    let dst_end = at(nth_weekday(year, 11, Weekday::Sun, 1), 9);
    let dst = matches!((dst_start, dst_end), (Some(a), Some(b)) if a <= now && now < b);
    let offset = if dst { 7 } else { 8 };
    (now - chrono::Duration::hours(offset)).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn linkedin_published_sunsets_and_the_rule() {
        assert_eq!(linkedin_sunset("202510"), Some(d(2026, 10, 15)));
        assert_eq!(linkedin_sunset("202511"), Some(d(2026, 11, 16)));
        assert_eq!(linkedin_sunset("202607"), Some(d(2027, 7, 15)));
        assert_eq!(linkedin_sunset("2026"), None);
        assert_eq!(linkedin_sunset("202613"), None);
        assert_eq!(linkedin_sunset("20250101"), None);
    }

    #[test]
    fn linkedin_active_window() {
        let today = d(2026, 12, 4);
        assert!(!linkedin_active("202510", today));
        assert!(!linkedin_active("202511", today));
        assert!(linkedin_active("202601", today));
        assert!(linkedin_active("202607", today));
        assert!(linkedin_active("202612", today), "its month has begun");
        assert!(!linkedin_active("202701", today), "from the future");
        assert!(linkedin_active("202601", d(2027, 1, 14)));
        assert!(!linkedin_active("202601", d(2027, 1, 15)), "sunset day");
        assert!(!linkedin_active("", today));
        assert!(!linkedin_active("2026-07", today));
    }

    #[test]
    fn graph_versions_on_the_calendar() {
        let today = d(2026, 12, 4);
        assert_eq!(graph_version("v21.0", today), GraphVersion::Live);
        assert_eq!(graph_version("v27.0", today), GraphVersion::Live);
        assert_eq!(graph_version("v28.0", today), GraphVersion::Unreleased);
        assert_eq!(
            graph_version("v27.0", d(2026, 11, 3)),
            GraphVersion::Unreleased
        );
        assert_eq!(
            graph_version("v20.0", today),
            GraphVersion::Expired {
                served: "v21.0".to_owned()
            }
        );
        assert_eq!(
            graph_version("v2.0", today),
            GraphVersion::Expired {
                served: "v21.0".to_owned()
            }
        );
        let later = d(2027, 1, 21);
        assert_eq!(
            graph_version("v21.0", later),
            GraphVersion::Expired {
                served: "v22.0".to_owned()
            }
        );
        assert_eq!(graph_version("v25.0", d(2028, 7, 28)), GraphVersion::Live);
        assert!(matches!(
            graph_version("v25.0", d(2028, 7, 29)),
            GraphVersion::Expired { .. }
        ));
    }

    #[test]
    fn pacific_day_follows_daylight_time() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        // Winter: UTC-8.
        assert_eq!(pacific_day(t("2026-12-04T07:59:00Z")), d(2026, 12, 3));
        assert_eq!(pacific_day(t("2026-12-04T08:00:00Z")), d(2026, 12, 4));
        // Summer: UTC-7.
        assert_eq!(pacific_day(t("2026-07-01T06:59:00Z")), d(2026, 6, 30));
        assert_eq!(pacific_day(t("2026-07-01T07:00:00Z")), d(2026, 7, 1));
        // 2026: DST from 2026-03-08 10:00Z to 2026-11-01 09:00Z.
        assert_eq!(pacific_day(t("2026-03-08T09:59:00Z")), d(2026, 3, 8));
        assert_eq!(pacific_day(t("2026-03-09T06:30:00Z")), d(2026, 3, 8));
        assert_eq!(pacific_day(t("2026-03-09T07:30:00Z")), d(2026, 3, 9));
        assert_eq!(pacific_day(t("2026-11-02T07:30:00Z")), d(2026, 11, 1));
        assert_eq!(pacific_day(t("2026-11-02T08:30:00Z")), d(2026, 11, 2));
    }
}
