//! The analytics shapes the bindings take and give: which posts
//! (`PostRefInput`, also accepting a publish report's result objects as
//! they are) and each post's metrics (`MetricsResultView`), where a metric
//! the platform does not report is `null` (Python `None`), never 0.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::views::ErrorView;
use crate::analytics::{MetricsResult, PostMetrics, PostRef};
use crate::{Error, Platform, Result};

/// One published post whose metrics to read: `{platform, post_id,
/// account_id?}`. A result object of a publish report fits as it is (its
/// other keys are ignored).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub struct PostRefInput {
    /// `x`, `linkedin`, `facebook`, `instagram`, `youtube` or `tiktok`.
    pub platform: String,
    /// The platform's post id.
    pub post_id: String,
    /// The account that published it (default: the user's only account
    /// on the platform).
    #[serde(default)]
    pub account_id: Option<String>,
}

impl PostRefInput {
    /// The core's reference.
    pub fn into_ref(self) -> Result<PostRef> {
        let platform: Platform = self.platform.parse().map_err(|_| {
            Error::invalid_input(
                "posts.platform",
                format!("unknown platform {:?}", self.platform),
            )
        })?;
        let mut r = PostRef::new(platform, self.post_id);
        r.account_id = self.account_id;
        Ok(r)
    }
}

/// Reads a list of posts (`[{platform, post_id, account_id?}, ...]`, keys
/// in either case).
pub fn parse_post_refs(v: Value) -> Result<Vec<PostRef>> {
    let inputs: Vec<PostRefInput> = super::parse("posts", v)?;
    inputs.into_iter().map(PostRefInput::into_ref).collect()
}

/// Reads one post (`{platform, post_id, account_id?}`).
pub fn parse_post_ref(v: Value) -> Result<PostRef> {
    let input: PostRefInput = super::parse("post", v)?;
    input.into_ref()
}

/// Reads an RFC 3339 time bound of a history range (`field` names it in
/// the error).
pub fn parse_time(field: &str, s: Option<&str>) -> Result<Option<DateTime<Utc>>> {
    s.map(|s| {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                Error::invalid_input(
                    field,
                    "an RFC 3339 time with its offset, e.g. 2026-12-04T10:00:00Z",
                )
            })
    })
    .transpose()
}

/// `metrics` as the bindings return it: one result view per post.
pub fn results_json(all: &[MetricsResult]) -> Value {
    super::views::to_json(&all.iter().map(MetricsResultView::from).collect::<Vec<_>>())
}

/// `metrics_history` as the bindings return it.
pub fn history_json(all: &[PostMetrics]) -> Value {
    super::views::to_json(&all.iter().map(MetricsView::from).collect::<Vec<_>>())
}

/// The snapshots of `post` between `since` and `until` (RFC 3339, either
/// open), as the bindings return them.
pub async fn history(
    sync: &crate::CreatorSync,
    user_id: &str,
    post: Value,
    since: Option<&str>,
    until: Option<&str>,
) -> Result<Value> {
    use std::ops::Bound;
    let post = parse_post_ref(post)?;
    let bound = |t: Option<DateTime<Utc>>| t.map_or(Bound::Unbounded, Bound::Included);
    let range = (
        bound(parse_time("since", since)?),
        bound(parse_time("until", until)?),
    );
    Ok(history_json(
        &sync.metrics_history(user_id, &post, range).await?,
    ))
}

/// One post's metrics at one moment.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct MetricsView {
    /// The platform.
    pub platform: String,
    /// The account that published the post.
    pub account_id: String,
    /// The platform's post id.
    pub post_id: String,
    /// Times shown or played; null: not reported by the platform.
    pub views: Option<u64>,
    /// Distinct accounts reached; null: not reported.
    pub reach: Option<u64>,
    /// Likes or reactions; null: not reported.
    pub likes: Option<u64>,
    /// Comments or replies; null: not reported.
    pub comments: Option<u64>,
    /// Shares, reposts; null: not reported.
    pub shares: Option<u64>,
    /// Saves, bookmarks; null: not reported.
    pub saves: Option<u64>,
    /// Link clicks; null: not reported.
    pub clicks: Option<u64>,
    /// Total watch time in seconds; null: not reported.
    pub watch_time_secs: Option<u64>,
    /// When the SDK read these (RFC 3339).
    pub fetched_at: DateTime<Utc>,
    /// The platform's own answer for the post, unchanged.
    pub raw: Value,
}

impl From<&PostMetrics> for MetricsView {
    fn from(m: &PostMetrics) -> Self {
        Self {
            platform: m.platform.as_str().to_owned(),
            account_id: m.account_id.clone(),
            post_id: m.post_id.clone(),
            views: m.views,
            reach: m.reach,
            likes: m.likes,
            comments: m.comments,
            shares: m.shares,
            saves: m.saves,
            clicks: m.clicks,
            watch_time_secs: m.watch_time_secs,
            fetched_at: m.fetched_at,
            raw: m.raw.clone(),
        }
    }
}

/// One post's outcome of `metrics`.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct MetricsResultView {
    /// The platform.
    pub platform: String,
    /// The account asked for, if one was named.
    pub account_id: Option<String>,
    /// The platform's post id.
    pub post_id: String,
    /// Whether the metrics were read.
    pub ok: bool,
    /// The metrics, when read.
    pub metrics: Option<MetricsView>,
    /// Why not, when not.
    pub error: Option<ErrorView>,
}

impl From<&MetricsResult> for MetricsResultView {
    fn from(r: &MetricsResult) -> Self {
        let (metrics, error) = match &r.outcome {
            Ok(m) => (Some(MetricsView::from(m)), None),
            Err(e) => (None, Some(ErrorView::from(e))),
        };
        Self {
            platform: r.post.platform.as_str().to_owned(),
            account_id: r.post.account_id.clone(),
            post_id: r.post.post_id.clone(),
            ok: metrics.is_some(),
            metrics,
            error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn posts_parse_in_either_case_and_report_results_fit_as_they_are() {
        let refs = parse_post_refs(json!([
            {"platform": "twitter", "postId": "1"},
            {"platform": "facebook", "account_id": "p1", "post_id": "p1_2", "ok": true, "url": "https://x"},
        ]))
        .unwrap();
        assert_eq!(refs[0], PostRef::new(Platform::X, "1"));
        assert_eq!(
            refs[1],
            PostRef::new(Platform::Facebook, "p1_2").on_account("p1")
        );
        let e = parse_post_refs(json!([{"platform": "myspace", "post_id": "1"}])).unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT");
        assert!(
            parse_time("since", Some("2026-12-04T10:00:00+01:00"))
                .unwrap()
                .is_some()
        );
        let e = parse_time("since", Some("2026-12-04 10:00")).unwrap_err();
        assert!(
            matches!(e, Error::InvalidInput { ref field, .. } if field == "since"),
            "{e}"
        );
    }

    #[test]
    fn an_unreported_metric_is_null_not_zero() {
        let mut m = PostMetrics::unreported(json!({"view_count": 3}));
        m.platform = Platform::TikTok;
        m.views = Some(3);
        m.likes = Some(0);
        let v = serde_json::to_value(MetricsView::from(&m)).unwrap();
        assert_eq!(v["views"], 3);
        assert_eq!(v["likes"], 0, "a real zero stays 0");
        assert_eq!(v["reach"], Value::Null);
        assert_eq!(v["raw"]["view_count"], 3);
        let js = crate::contract::camel_keys(v);
        assert_eq!(js["watchTimeSecs"], Value::Null);
        assert_eq!(
            js["raw"]["view_count"], 3,
            "the platform's answer keeps its keys in JS"
        );
    }
}
