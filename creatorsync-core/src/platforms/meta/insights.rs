//! Post metrics through Graph's multi-id read, shared by Facebook and
//! Instagram: `GET /{version}/?ids=a,b,…&fields=…` (developers.facebook.com
//! "Graph API: multiple id read requests", read 2026-12-04): up to 50 ids a
//! call, each answered under its own id. When one id does not exist (a
//! deleted post) Graph fails the whole call with `(#803) Some of the
//! aliases you requested do not exist`; the batch is then read one id per
//! call, so only that post fails.

use serde_json::Value;

use super::Graph;
use crate::analytics::{PostMetrics, not_returned};
use crate::{Error, Platform, Result};

/// Ids one multi-id read takes.
pub(crate) const MAX_IDS: usize = 50;

/// Graph's "some of the aliases you requested do not exist".
fn is_missing_alias(e: &Error) -> bool {
    matches!(e, Error::Platform { code: Some(c), .. } if c == "803")
}

/// Reads `fields` of `ids` and normalises each answer.
pub(crate) async fn read(
    graph: &Graph<'_>,
    platform: Platform,
    ids: &[String],
    fields: &str,
    normalise: fn(&Value) -> PostMetrics,
) -> Result<Vec<Result<PostMetrics>>> {
    let one = |v: &Value, id: &str| -> Result<PostMetrics> {
        v.get(id)
            .map(normalise)
            .ok_or_else(|| not_returned(platform, id, None))
    };
    let params = |ids: &[String]| vec![("ids", ids.join(",")), ("fields", fields.to_owned())];
    match graph.get("post metrics", "/", params(ids)).await {
        Ok(v) => Ok(ids.iter().map(|id| one(&v, id)).collect()),
        Err(e) if is_missing_alias(&e) && ids.len() > 1 => {
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                let single = std::slice::from_ref(id);
                out.push(match graph.get("post metrics", "/", params(single)).await {
                    Ok(v) => one(&v, id),
                    Err(e) if is_missing_alias(&e) => Err(not_returned(
                        platform,
                        id,
                        Some("the post does not exist (Graph #803)"),
                    )),
                    Err(e) => Err(e),
                });
            }
            Ok(out)
        }
        Err(e) if is_missing_alias(&e) => Ok(vec![Err(not_returned(
            platform,
            &ids[0],
            Some("the post does not exist (Graph #803)"),
        ))]),
        Err(e) => Err(e),
    }
}

/// The value of the insights metric `name` in a post's `insights` edge.
pub(crate) fn insight(post: &Value, name: &str) -> Option<u64> {
    post["insights"]["data"]
        .as_array()?
        .iter()
        .find(|m| m["name"].as_str() == Some(name))
        .and_then(|m| m["values"][0]["value"].as_u64())
}
