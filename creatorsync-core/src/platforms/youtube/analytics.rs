//! Post metrics, two reads per batch of up to 50 videos:
//!
//! * `GET /youtube/v3/videos?part=statistics&id=a,b,…` (developers.google.com
//!   "Videos: list", read 2026-12-04): up to 50 ids a call, 1 quota unit.
//!   `statistics.viewCount` → views, `likeCount` → likes, `commentCount` →
//!   comments (counts as strings; a count the owner hides is absent and
//!   stays `None`).
//! * Watch time from the YouTube Analytics API, `GET
//!   https://youtubeanalytics.googleapis.com/v2/reports?ids=channel==MINE&
//!   startDate=…&endDate=…&metrics=estimatedMinutesWatched,
//!   averageViewDuration&dimensions=video&filters=video==a,b,…`
//!   (developers.google.com "Reports: query" and "Channel reports", read
//!   2026-12-04): scope `yt-analytics.readonly`, several ids in one `video`
//!   filter with `video` as the dimension give one row per video; asked
//!   only for the ids `videos.list` returned, so one call per batch (none
//!   when no id is known). `estimatedMinutesWatched` × 60 → watch time in
//!   seconds (minute resolution); the row is kept in `raw.analytics`. A
//!   video the report has no row for keeps `None`.
//!
//! Reach, shares, saves and clicks are not read: `None`. Both reads need
//! the analytics scope; an account without it fails with
//! [`crate::Error::MissingScope`] before any request.

use serde_json::{Map, Value};

use super::{P, YouTube, YouTubeClient};
use crate::analytics::{PostMetrics, by_id, count};
use crate::http::{Host, Idempotency, decode_json};
use crate::platforms::common::access_token;
use crate::platforms::common::require_scope;
use crate::{Result, StoredToken};

/// Ids one `videos.list` takes (and so one report's `video` filter).
pub(super) const METRICS_BATCH: usize = 50;
/// The scope the YouTube Analytics API needs.
const SCOPE: &str = "https://www.googleapis.com/auth/yt-analytics.readonly";
/// The production host of the YouTube Analytics API (the Data API's
/// `www.googleapis.com` does not serve it); overridden endpoints (the
/// emulator, a mock) serve both on their one API base.
const ANALYTICS_HOST: &str = "https://youtubeanalytics.googleapis.com";
/// The Data API's production base.
const DATA_HOST: &str = "https://www.googleapis.com";
/// The report's first day: before YouTube existed, so a report covers a
/// video's whole life.
const START_DATE: &str = "2005-01-01";
/// The report metrics asked for.
const REPORT_METRICS: &str = "estimatedMinutesWatched,averageViewDuration";

/// The normalised metrics of one `videos` item.
fn normalise(item: &Value) -> PostMetrics {
    let s = &item["statistics"];
    let mut m = PostMetrics::unreported(item.clone());
    m.views = count(&s["viewCount"]);
    m.likes = count(&s["likeCount"]);
    m.comments = count(&s["commentCount"]);
    m
}

/// The report's rows as `video id → {column: value}`.
fn report_rows(report: &Value) -> Vec<(String, Map<String, Value>)> {
    let names: Vec<&str> = report["columnHeaders"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|h| h["name"].as_str().unwrap_or_default())
        .collect();
    let Some(video_col) = names.iter().position(|n| *n == "video") else {
        return Vec::new();
    };
    report["rows"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|row| {
            let cells = row.as_array()?;
            let id = cells.get(video_col)?.as_str()?.to_owned();
            let cols = names
                .iter()
                .zip(cells)
                .filter(|(n, _)| **n != "video")
                .map(|(n, v)| ((*n).to_owned(), v.clone()))
                .collect();
            Some((id, cols))
        })
        .collect()
}

/// Adds a report row to a video's metrics: `raw.analytics` and the watch
/// time in seconds.
fn add_watch_time(m: &mut PostMetrics, row: Map<String, Value>) {
    m.watch_time_secs = row
        .get("estimatedMinutesWatched")
        .and_then(|v| v.as_u64().or_else(|| v.as_f64().map(|f| f.max(0.0) as u64)))
        .map(|minutes| minutes.saturating_mul(60));
    if let Value::Object(raw) = &mut m.raw {
        raw.insert("analytics".into(), Value::Object(row));
    }
}

impl YouTubeClient {
    /// The `reports.query` URL.
    fn reports_url(&self) -> url::Url {
        let endpoints = &self.cfg().endpoints;
        let api = endpoints.base(Host::Api).as_str().trim_end_matches('/');
        if api == DATA_HOST {
            // A constant URL: parsing cannot fail.
            url::Url::parse(&format!("{ANALYTICS_HOST}/v2/reports"))
                .unwrap_or_else(|_| endpoints.url(Host::Api, "/v2/reports"))
        } else {
            endpoints.url(Host::Api, "/v2/reports")
        }
    }

    /// One `videos.list` and (for the videos it knows) one report for up
    /// to [`METRICS_BATCH`] ids.
    pub(super) async fn read_metrics(
        &self,
        account: &StoredToken,
        ids: &[String],
    ) -> Result<Vec<Result<PostMetrics>>> {
        require_scope(account, &[SCOPE])?;
        let token = access_token(P, account)?;
        let mut url = self.api("/youtube/v3/videos");
        url.query_pairs_mut()
            .append_pair("part", "statistics")
            .append_pair("id", &ids.join(","))
            .append_pair("maxResults", &METRICS_BATCH.to_string());
        let resp = self
            .cfg()
            .http
            .send(
                &YouTube,
                "videos.list statistics",
                Idempotency::Idempotent,
                |c| c.get(url.clone()).bearer_auth(token),
            )
            .await?;
        let v: Value = decode_json(P, resp).await?;
        let mut out = by_id(P, ids, &v["items"], normalise);
        let known: Vec<&str> = ids
            .iter()
            .zip(&out)
            .filter(|(_, r)| r.is_ok())
            .map(|(id, _)| id.as_str())
            .collect();
        if known.is_empty() {
            return Ok(out);
        }
        let mut url = self.reports_url();
        url.query_pairs_mut()
            .append_pair("ids", "channel==MINE")
            .append_pair("startDate", START_DATE)
            .append_pair(
                "endDate",
                &chrono::Utc::now()
                    .date_naive()
                    .format("%Y-%m-%d")
                    .to_string(),
            )
            .append_pair("metrics", REPORT_METRICS)
            .append_pair("dimensions", "video")
            .append_pair("filters", &format!("video=={}", known.join(",")));
        let resp = self
            .cfg()
            .http
            .send(
                &YouTube,
                "reports.query watch time",
                Idempotency::Idempotent,
                |c| c.get(url.clone()).bearer_auth(token),
            )
            .await?;
        let report: Value = decode_json(P, resp).await?;
        for (id, row) in report_rows(&report) {
            if let Some(Ok(m)) = ids.iter().position(|i| *i == id).map(|i| &mut out[i]) {
                add_watch_time(m, row);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_counts_map_and_a_hidden_count_stays_unreported() {
        let item = serde_json::json!({"id": "v", "statistics": {"viewCount": "12", "commentCount": "3", "favoriteCount": "0"}});
        let m = normalise(&item);
        assert_eq!((m.views, m.likes, m.comments), (Some(12), None, Some(3)));
        assert_eq!(
            (m.reach, m.shares, m.saves, m.clicks, m.watch_time_secs),
            (None, None, None, None, None)
        );
        assert_eq!(m.raw, item);
    }

    #[test]
    fn report_rows_are_matched_by_video_and_minutes_become_seconds() {
        let report = serde_json::json!({
            "columnHeaders": [
                {"name": "video", "columnType": "DIMENSION", "dataType": "STRING"},
                {"name": "estimatedMinutesWatched", "columnType": "METRIC", "dataType": "INTEGER"},
                {"name": "averageViewDuration", "columnType": "METRIC", "dataType": "INTEGER"}],
            "rows": [["b", 7, 40], ["a", 0, 0]]});
        let rows = report_rows(&report);
        assert_eq!(rows.len(), 2);
        let (id, row) = rows.into_iter().next().unwrap();
        assert_eq!(id, "b");
        let mut m = normalise(&serde_json::json!({"id": "b", "statistics": {}}));
        add_watch_time(&mut m, row);
        assert_eq!(m.watch_time_secs, Some(420));
        assert_eq!(m.raw["analytics"]["averageViewDuration"], 40);
        assert!(report_rows(&serde_json::json!({"kind": "x"})).is_empty());
    }
}
