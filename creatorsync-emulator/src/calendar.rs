//! The platforms' version calendars, read on the emulator clock: which
//! `LinkedIn-Version` months are active and which Graph API versions are
//! released or expired on a given day. Dates are the published ones
//! (docs/emulator-contract.md lists them with their sources); a version the
//! tables do not name follows the platform's published rule.

use chrono::{Datelike, NaiveDate};

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
}
