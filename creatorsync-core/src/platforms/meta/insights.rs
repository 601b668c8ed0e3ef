//! Post metrics through Graph's multi-id read, shared by Facebook and
//! Instagram: `GET /{version}/?ids=a,b,…&fields=…` (developers.facebook.com
//! "Graph API: multiple id read requests", read 2026-12-04): up to 50 ids a
//! call, each answered under its own id. When one id does not exist (a
//! deleted post) Graph fails the whole call with `(#803) Some of the
//! aliases you requested do not exist`; the batch is then read one id per
//! call, so only that post fails.
//!
//! Watch time lives on other objects or metrics (a Facebook post's video,
//! an Instagram reel's `ig_reels_*` metrics): [`add_watch_time`] reads it
//! for just those posts in one more multi-id read per batch, with the edge
//! asked for as a field (`video_insights.metric(…)`,
//! `insights.metric(…)`).

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
    normalise: impl Fn(&Value) -> PostMetrics,
) -> Result<Vec<Result<PostMetrics>>> {
    let one = |v: &Value, id: &str| -> Result<PostMetrics> {
        v.get(id)
            .map(&normalise)
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

/// Adds watch time to the posts of `out` named in `targets` (`(index in
/// out, id of the object holding the metric)`): one multi-id read of
/// `edge.metric(metric)` for those objects, whose value is in
/// milliseconds (`None` when the answer leaves it out, never 0). Each
/// object's answer is kept in the post's `raw[edge]`.
pub(crate) async fn add_watch_time(
    graph: &Graph<'_>,
    platform: Platform,
    out: &mut [Result<PostMetrics>],
    targets: &[(usize, String)],
    edge: &str,
    metric: &str,
) -> Result<()> {
    if targets.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = targets.iter().map(|(_, id)| id.clone()).collect();
    let fields = format!("{edge}.metric({metric})");
    let answers = read(graph, platform, &ids, &fields, |v| {
        let mut m = PostMetrics::unreported(v.get(edge).cloned().unwrap_or(Value::Null));
        m.watch_time_secs = edge_value(v, edge, metric).map(|ms| ms / 1000);
        m
    })
    .await?;
    for ((i, _), answer) in targets.iter().zip(answers) {
        if let (Some(Ok(m)), Ok(w)) = (out.get_mut(*i), answer) {
            m.watch_time_secs = w.watch_time_secs;
            if let Value::Object(raw) = &mut m.raw {
                raw.insert(format!("watch_{edge}"), w.raw);
            }
        }
    }
    Ok(())
}

/// The value of the insights metric `name` in a post's `insights` edge.
pub(crate) fn insight(post: &Value, name: &str) -> Option<u64> {
    edge_value(post, "insights", name)
}

/// The value of the metric `name` in the insights-shaped `edge` of `obj`
/// (`{"data": [{"name", "values": [{"value"}]}]}`).
fn edge_value(obj: &Value, edge: &str, name: &str) -> Option<u64> {
    obj[edge]["data"]
        .as_array()?
        .iter()
        .find(|m| m["name"].as_str() == Some(name))
        .and_then(|m| m["values"][0]["value"].as_u64())
}
