//! Post metrics of member posts: `GET /rest/memberCreatorPostAnalytics?
//! q=entity&entity=(share:{urn})&queryType=…&aggregation=TOTAL`
//! (learn.microsoft.com "Member Post Statistics", li-lms-2026-03, read
//! 2026-12-04): scope `r_member_postAnalytics`, one post and one metric
//! per call, so one post costs one call per metric (LinkedIn offers no
//! batch). `IMPRESSION` → views, `MEMBERS_REACHED` → reach, `REACTION` →
//! likes, `COMMENT` → comments, `RESHARE` → shares, and from version
//! 202603 `POST_SAVE` → saves (`POST_SEND` is kept in `raw`). Member posts
//! report no clicks or watch time. Organization posts
//! (`organizationalEntityShareStatistics`) are not read yet: Unsupported.

use reqwest::Method;
use serde_json::{Map, Value};

use super::LinkedInClient;
use super::api::enc;
use crate::analytics::{PostMetrics, count, require_scope};
use crate::http::Idempotency;
use crate::{Error, Platform, Result, StoredToken};

/// Posts one read takes: the API names one entity per call.
pub(super) const METRICS_BATCH: usize = 1;
/// The scope the member analytics need.
const SCOPE: &str = "r_member_postAnalytics";
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
        if !Self::author(account).starts_with("urn:li:person:") {
            return Err(Error::Unsupported {
                platform: Platform::LinkedIn,
                message: "metrics of organization posts".into(),
            });
        }
        require_scope(account, SCOPE)?;
        let api = self.api(account, None)?;
        let mut out = Vec::with_capacity(ids.len());
        for urn in ids {
            out.push(self.read_one(&api, urn).await);
        }
        Ok(out)
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
}
