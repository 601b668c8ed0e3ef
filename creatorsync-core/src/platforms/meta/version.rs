//! The one Graph API version, with Meta's published expiry dates.
//!
//! After a version expires Meta silently serves the oldest live one, so a
//! stale pin does not fail loudly: the calendar test
//! (`tests/version_calendar.rs`) turns CI red 60 days before expiry.

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
