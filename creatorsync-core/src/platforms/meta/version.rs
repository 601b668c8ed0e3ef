//! The one Graph API version, with Meta's published expiry dates.
//!
//! After a version expires Meta silently serves the oldest live one, so a
//! stale pin does not fail loudly: the calendar test
//! (`tests/version_calendar.rs`) turns CI red 60 days before expiry.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex, PoisonError};

use tracing::warn;

use crate::Platform;
use crate::platforms::module::{KnownVersion, VersionCalendar};

const SOURCE: &str =
    "https://developers.facebook.com/docs/graph-api/changelog/versions (read 2026-12-04)";

/// The Graph version every Meta call uses unless configured otherwise.
pub(crate) const GRAPH_VERSION: &str = "v25.0";

/// Graph versions CreatorSync knows, newest first, with their expiry.
pub(crate) static CALENDAR: VersionCalendar = VersionCalendar {
    pinned: GRAPH_VERSION,
    known: &[
        KnownVersion {
            version: "v25.0",
            sunset: "2028-07-29",
            source: SOURCE,
        },
        KnownVersion {
            version: "v24.0",
            sunset: "2028-02-18",
            source: SOURCE,
        },
        KnownVersion {
            version: "v23.0",
            sunset: "2027-10-08",
            source: SOURCE,
        },
        KnownVersion {
            version: "v21.0",
            sunset: "2027-01-21",
            source: SOURCE,
        },
    ],
};

/// The (asked, served) pairs already warned about in this process.
static WARNED: LazyLock<Mutex<HashSet<(String, String)>>> =
    LazyLock::new(|| Mutex::new(HashSet::new()));

/// Warns (once per process and pair) when Meta answered with another Graph
/// version than the one asked for: after its expiry Meta serves the oldest
/// live version instead of refusing, so the answer's `facebook-api-version`
/// header is the only sign that the pin is stale.
pub(crate) fn check_served(platform: Platform, asked: &str, resp: &reqwest::Response) -> bool {
    let Some(served) = resp
        .headers()
        .get("facebook-api-version")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    if served == asked {
        return false;
    }
    let first = WARNED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert((asked.to_owned(), served.to_owned()));
    if first {
        warn!(%platform, asked, served, "Meta served another Graph API version than the one asked for: the pinned version has expired; upgrade creatorsync or configure a supported api_version");
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(version: Option<&str>) -> reqwest::Response {
        let mut r = http::Response::new("{}");
        if let Some(v) = version {
            r.headers_mut()
                .insert("facebook-api-version", v.parse().unwrap());
        }
        reqwest::Response::from(r)
    }

    #[test]
    fn another_served_version_is_noticed() {
        assert!(!check_served(
            Platform::Facebook,
            "v25.0",
            &answer(Some("v25.0"))
        ));
        assert!(!check_served(Platform::Facebook, "v25.0", &answer(None)));
        assert!(check_served(
            Platform::Facebook,
            "v25.0",
            &answer(Some("v26.0"))
        ));
        // Every time, though the warning is logged once.
        assert!(check_served(
            Platform::Facebook,
            "v25.0",
            &answer(Some("v26.0"))
        ));
    }
}
