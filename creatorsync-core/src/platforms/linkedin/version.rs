//! `LinkedIn-Version`: the one pinned version, its calendar, and what
//! happens when LinkedIn stops serving it.
//!
//! LinkedIn releases a version every month and serves each for at least a
//! year; a retired one answers `426 {"code":"NONEXISTENT_VERSION"}`. Every
//! `/rest/*` call (connect, discovery, publish) goes through [`send`]: on
//! that answer it walks the candidate versions (newer months first, from
//! the current month down, then older ones), remembers the version
//! accepted for the rest of the process and logs a warning. The calendar
//! test (`tests/version_calendar.rs`) turns CI red 60 days before the pinned
//! version's sunset.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};

use chrono::{Datelike, Utc};
use reqwest::Method;
use tracing::warn;
use url::Url;

use super::LinkedIn;
use crate::http::Idempotency;
use crate::platforms::module::{KnownVersion, VersionCalendar};
use crate::{Error, HttpClient, Result};

const MIGRATIONS: &str = "https://learn.microsoft.com/en-us/linkedin/marketing/integrations/migrations (read 2026-12-04)";
const ESTIMATED: &str = "estimated: released 2026-07 (https://learn.microsoft.com/en-us/linkedin/marketing/versioning, current version in 2026-08), served at least one year; not yet on the migrations page (2026-12-04)";

/// The versions CreatorSync knows, newest first, with their sunsets.
pub(crate) static CALENDAR: VersionCalendar = VersionCalendar {
    pinned: "202607",
    known: &[
        KnownVersion {
            version: "202607",
            sunset: "2027-07-15",
            source: ESTIMATED,
        },
        KnownVersion {
            version: "202603",
            sunset: "2027-03-16",
            source: MIGRATIONS,
        },
        KnownVersion {
            version: "202602",
            sunset: "2027-02-15",
            source: MIGRATIONS,
        },
        KnownVersion {
            version: "202601",
            sunset: "2027-01-15",
            source: MIGRATIONS,
        },
        KnownVersion {
            version: "202511",
            sunset: "2026-11-16",
            source: MIGRATIONS,
        },
        KnownVersion {
            version: "202510",
            sunset: "2026-10-15",
            source: MIGRATIONS,
        },
    ],
};

/// How many months before the refused version the walk still tries.
const OLDER_MONTHS: u32 = 12;

/// The version accepted after a walk, per (API origin, version asked for).
static ACCEPTED: LazyLock<Mutex<HashMap<(String, String), String>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn accepted() -> std::sync::MutexGuard<'static, HashMap<(String, String), String>> {
    ACCEPTED.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `YYYYMM` as a month count, or None when it is not one.
fn months(v: &str) -> Option<u32> {
    if v.len() != 6 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = v.parse().ok()?;
    let (y, m) = (n / 100, n % 100);
    (1..=12).contains(&m).then(|| y * 12 + (m - 1))
}

fn name(months: u32) -> String {
    format!("{:04}{:02}", months / 12, months % 12 + 1)
}

/// The versions to try after `refused`, in order: from `current` (this
/// month) down to the month after `refused`, then the twelve months before
/// it.
pub(crate) fn candidates(refused: &str, current: &str) -> Vec<String> {
    let (Some(r), Some(c)) = (months(refused), months(current)) else {
        return CALENDAR
            .known
            .iter()
            .map(|k| k.version.to_owned())
            .filter(|v| v != refused)
            .collect();
    };
    let newer = (r + 1..=c).rev();
    let older = (r.saturating_sub(OLDER_MONTHS)..r).rev();
    newer.chain(older).map(name).collect()
}

fn this_month() -> String {
    let now = Utc::now();
    format!("{:04}{:02}", now.year(), now.month())
}

fn retired(e: &Error) -> bool {
    matches!(e, Error::Platform { status: 426, code, .. } if code.as_deref() == Some("NONEXISTENT_VERSION"))
}

/// Sends one `/rest/*` request with `LinkedIn-Version` and the Rest.li
/// protocol header, starting with `version` (or the version a walk from it
/// settled on earlier in this process) and walking on when LinkedIn says
/// it is retired. `build` adds everything else (token, body).
pub(super) async fn send<F>(
    http: &HttpClient,
    version: &str,
    op: &'static str,
    idem: Idempotency,
    method: &Method,
    url: &Url,
    build: F,
) -> Result<reqwest::Response>
where
    F: Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder + Send + Sync,
{
    let key = (url.origin().ascii_serialization(), version.to_owned());
    let first = accepted()
        .get(&key)
        .cloned()
        .unwrap_or_else(|| version.to_owned());
    let attempt = |v: String| {
        let build = &build;
        async move {
            http.send(&LinkedIn, op, idem, |c| {
                build(
                    c.request(method.clone(), url.clone())
                        .header("LinkedIn-Version", &v)
                        .header("X-Restli-Protocol-Version", "2.0.0"),
                )
            })
            .await
        }
    };
    let refusal = match attempt(first.clone()).await {
        Err(e) if retired(&e) => e,
        other => return other,
    };
    for next in candidates(&first, &this_month()) {
        match attempt(next.clone()).await {
            Err(e) if retired(&e) => continue,
            Ok(resp) => {
                warn!(refused = %first, using = %next, "LinkedIn-Version retired; using a newer one for this process");
                accepted().insert(key, next);
                return Ok(resp);
            }
            Err(e) => return Err(e),
        }
    }
    Err(refusal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_go_newer_first_then_older() {
        let c = candidates("202607", "202610");
        assert_eq!(&c[..4], ["202610", "202609", "202608", "202606"]);
        assert_eq!(c.len(), 3 + 12);
        assert_eq!(c.last().unwrap(), "202507");
        let c = candidates("202601", "202601");
        assert_eq!(c[0], "202512");
        // Not a month: the calendar's versions.
        assert!(candidates("latest", "202612").contains(&"202607".to_owned()));
    }

    #[test]
    fn the_pinned_version_is_in_the_calendar() {
        assert!(CALENDAR.known.iter().any(|k| k.version == CALENDAR.pinned));
        for k in CALENDAR.known {
            assert!(months(k.version).is_some(), "{}", k.version);
            assert!(
                chrono::NaiveDate::parse_from_str(k.sunset, "%Y-%m-%d").is_ok(),
                "{}",
                k.sunset
            );
        }
    }
}
