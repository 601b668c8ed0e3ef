//! Post metrics of member posts: `GET /rest/memberCreatorPostAnalytics?
//! q=entity&entity=(share:{urn})&queryType=…&aggregation=TOTAL`
//! (learn.microsoft.com "Member Post Statistics", li-lms-2026-03, read
//! 2026-12-04): scope `r_member_postAnalytics`, one post and one metric
//! per call, so one post costs one call per metric (LinkedIn offers no
//! batch). `IMPRESSION` → views, `MEMBERS_REACHED` → reach, `REACTION` →
//! likes, `COMMENT` → comments, `RESHARE` → shares, and from version
//! 202603 `POST_SAVE` → saves (`POST_SEND` is kept in `raw`). Member posts
//! report no clicks or watch time.
//!
//! Posts of an organization (company page) account: `GET /rest/
//! organizationalEntityShareStatistics?q=organizationalEntity&
//! organizationalEntity={org urn}&shares=List(…)&ugcPosts=List(…)`
//! (learn.microsoft.com "Organization Share Statistics", li-lms-2025-11,
//! read 2026-12-04): scope `rw_organization_admin` (asked with
//! `ScopeUse::Organizations`), lifetime statistics when `timeIntervals` is
//! left out, organic activity only, posts of the last 12 months. Up to
//! [`METRICS_BATCH`] posts a call (the page states no limit; 20 is this
//! SDK's choice, UNCONFIRMED), each answered by one element carrying its
//! `share` or `ugcPost` URN: `totalShareStatistics.impressionCount` →
//! views, `uniqueImpressionsCount` → reach, `likeCount` → likes,
//! `commentCount` → comments, `shareCount` → shares, `clickCount` →
//! clicks. Organizations report no saves; watch time (the separate
//! `videoAnalytics` API) is not read: `None`.

use reqwest::Method;
use serde_json::{Map, Value};

use super::LinkedInClient;
use super::api::enc;
use crate::analytics::{PostMetrics, count, not_returned};
use crate::http::Idempotency;
use crate::platforms::common::require_scope;
use crate::{Error, Platform, Result, StoredToken};

/// Posts one read takes: up to 20 organization posts in one statistics
/// call; member posts are still read one per call.
pub(super) const METRICS_BATCH: usize = 20;
/// The scope the member analytics need.
const SCOPE: &str = "r_member_postAnalytics";
/// The scope the organization statistics need.
const ORG_SCOPE: &str = "rw_organization_admin";
/// The first version serving `POST_SAVE` and `POST_SEND`.
const SAVES_SINCE: &str = "202603";

/// The normalised field a `queryType` fills (None: kept in `raw` only).
type Field = Option<fn(&mut PostMetrics) -> &mut Option<u64>>;

/// The metrics asked for under `version`, with the field each fills.
fn query_types(version: &str) -> Vec<(&'static str, Field)> {
    let mut q: Vec<(&'static str, Field)> = vec![
        ("IMPRESSION", Some(|m| &mut m.views)),
        ("MEMBERS_REACHED", Some(|m| &mut m.reach)),
        ("REACTION", Some(|m| &mut m.likes)),
        ("COMMENT", Some(|m| &mut m.comments)),
        ("RESHARE", Some(|m| &mut m.shares)),
    ];
    if version >= SAVES_SINCE {
        q.push(("POST_SAVE", Some(|m| &mut m.saves)));
        q.push(("POST_SEND", None));
    }
    q
}

/// The entity finder's value for a post URN.
fn entity(urn: &str) -> Result<String> {
    let kind = if urn.starts_with("urn:li:share:") {
        "share"
    } else if urn.starts_with("urn:li:ugcPost:") {
        "ugcPost"
    } else {
        return Err(Error::invalid_input(
            "post_id",
            format!("linkedin: {urn} is not a share or ugcPost URN"),
        ));
    };
    Ok(format!("({kind}:{})", enc(urn)))
}

impl LinkedInClient {
    /// One call per metric for the one post of `ids`.
    pub(super) async fn read_metrics(
        &self,
        account: &StoredToken,
        ids: &[String],
    ) -> Result<Vec<Result<PostMetrics>>> {
        let author = Self::author(account);
        if author.starts_with("urn:li:organization:") {
            return self.read_organization(account, &author, ids).await;
        }
        if !author.starts_with("urn:li:person:") {
            return Err(Error::Unsupported {
                platform: Platform::LinkedIn,
                message: format!("metrics of posts by {author}"),
            });
        }
        require_scope(account, &[SCOPE])?;
        let api = self.api(account, None)?;
        let mut out = Vec::with_capacity(ids.len());
        for urn in ids {
            out.push(self.read_one(&api, urn).await);
        }
        Ok(out)
    }

    /// One statistics call for the posts `ids` of the organization `org`.
    async fn read_organization(
        &self,
        account: &StoredToken,
        org: &str,
        ids: &[String],
    ) -> Result<Vec<Result<PostMetrics>>> {
        require_scope(account, &[ORG_SCOPE])?;
        let mut out: Vec<Option<Result<PostMetrics>>> = ids.iter().map(|_| None).collect();
        let (mut shares, mut ugc) = (Vec::new(), Vec::new());
        for (i, urn) in ids.iter().enumerate() {
            match entity(urn) {
                Ok(_) if urn.starts_with("urn:li:share:") => shares.push(enc(urn)),
                Ok(_) => ugc.push(enc(urn)),
                Err(e) => out[i] = Some(Err(e)),
            }
        }
        if shares.is_empty() && ugc.is_empty() {
            return Ok(out.into_iter().flatten().collect());
        }
        let mut path = format!(
            "/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity={}",
            enc(org)
        );
        for (name, list) in [("shares", &shares), ("ugcPosts", &ugc)] {
            if !list.is_empty() {
                path.push_str(&format!("&{name}=List({})", list.join(",")));
            }
        }
        let api = self.api(account, None)?;
        let v: Value = api
            .json(
                "organizationalEntityShareStatistics",
                Idempotency::Idempotent,
                Method::GET,
                &path,
                None,
            )
            .await?;
        let elements = v["elements"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        Ok(ids
            .iter()
            .zip(out)
            .map(|(urn, done)| {
                done.unwrap_or_else(|| {
                    elements
                        .iter()
                        .find(|e| {
                            e["share"].as_str() == Some(urn) || e["ugcPost"].as_str() == Some(urn)
                        })
                        .map(organization_metrics)
                        .ok_or_else(|| not_returned(Platform::LinkedIn, urn, None))
                })
            })
            .collect())
    }

    async fn read_one(&self, api: &super::api::Api<'_>, urn: &str) -> Result<PostMetrics> {
        let entity = entity(urn)?;
        let mut raw = Map::new();
        let mut m = PostMetrics::unreported(Value::Null);
        for (query_type, field) in query_types(&api.version) {
            let path = format!(
                "/rest/memberCreatorPostAnalytics?q=entity&entity={entity}&queryType={query_type}&aggregation=TOTAL"
            );
            let v: Value = api
                .json(
                    "memberCreatorPostAnalytics",
                    Idempotency::Idempotent,
                    Method::GET,
                    &path,
                    None,
                )
                .await?;
            let total = v["elements"]
                .as_array()
                .filter(|e| !e.is_empty())
                .and_then(|e| e.iter().map(|el| count(&el["count"])).sum::<Option<u64>>());
            if let Some(f) = field {
                *f(&mut m) = total;
            }
            raw.insert(query_type.to_owned(), v);
        }
        m.raw = Value::Object(raw);
        Ok(m)
    }
}

/// The normalised metrics of one organization statistics element.
fn organization_metrics(element: &Value) -> PostMetrics {
    let t = &element["totalShareStatistics"];
    let mut m = PostMetrics::unreported(element.clone());
    m.views = count(&t["impressionCount"]);
    m.reach = count(&t["uniqueImpressionsCount"]);
    m.likes = count(&t["likeCount"]);
    m.comments = count(&t["commentCount"]);
    m.shares = count(&t["shareCount"]);
    m.clicks = count(&t["clickCount"]);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_are_asked_for_only_where_the_version_serves_them() {
        let names = |v| {
            query_types(v)
                .into_iter()
                .map(|(q, _)| q)
                .collect::<Vec<_>>()
        };
        assert!(names("202607").contains(&"POST_SAVE"));
        assert!(!names("202601").contains(&"POST_SAVE"));
        assert_eq!(
            entity("urn:li:share:1").unwrap(),
            "(share:urn%3Ali%3Ashare%3A1)"
        );
        assert_eq!(
            entity("urn:li:video:1").unwrap_err().code(),
            "INVALID_INPUT"
        );
    }

    #[test]
    fn organization_totals_map_and_saves_and_watch_time_stay_unreported() {
        let e = serde_json::json!({"share": "urn:li:share:1", "totalShareStatistics": {
            "impressionCount": 90, "uniqueImpressionsCount": 60, "likeCount": 5,
            "commentCount": 2, "shareCount": 1, "clickCount": 7, "engagement": 0.16}});
        let m = organization_metrics(&e);
        assert_eq!(
            (m.views, m.reach, m.likes, m.comments, m.shares, m.clicks),
            (Some(90), Some(60), Some(5), Some(2), Some(1), Some(7))
        );
        assert_eq!((m.saves, m.watch_time_secs), (None, None));
    }
}
