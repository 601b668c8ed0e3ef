//! After init: `status/fetch` polled until the post is public (waiting a
//! grace period for `publicaly_available_post_id`), the `/v2/video/list/`
//! lookup of a post by its text, and the post URL.

use std::sync::Mutex;
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{P, TikTokClient};
use crate::http::Idempotency;
use crate::platforms::PublishRequest;
use crate::platforms::common::Listed;
use crate::upload::{Poll, poll_until};
use crate::{Error, Platform, Post, Result};

/// `/v2/video/list/`, called with POST and a JSON body as TikTok documents.
const VIDEO_LIST_PATH: &str =
    "/v2/video/list/?fields=id,title,video_description,create_time,share_url";

/// One `status/fetch` answer: the status, the public post id when given,
/// and the bytes TikTok has of a FILE_UPLOAD.
pub(super) struct PublishStatus {
    pub(super) status: String,
    pub(super) post_id: Option<String>,
    pub(super) uploaded_bytes: Option<u64>,
}

impl TikTokClient {
    /// One look at publish `publish_id`.
    pub(super) async fn publish_status(
        &self,
        token: &str,
        publish_id: &str,
    ) -> Result<PublishStatus> {
        let data = self
            .call(
                token,
                "status/fetch",
                Idempotency::Idempotent,
                "/v2/post/publish/status/fetch/",
                &json!({ "publish_id": publish_id }),
            )
            .await?;
        Ok(PublishStatus {
            status: data
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            post_id: public_id(&data),
            uploaded_bytes: data.get("uploaded_bytes").and_then(Value::as_u64),
        })
    }

    /// Polls the publish status; Some(post id) once public, None when TikTok
    /// finished but did not (yet) reveal the id.
    pub(super) async fn wait_published(
        &self,
        publish_id: &str,
        req: &PublishRequest<'_>,
    ) -> Result<Option<String>> {
        let completed_at: Mutex<Option<Instant>> = Mutex::new(None);
        let grace = self.inner.id_grace;
        let body = json!({ "publish_id": publish_id });
        poll_until(
            P,
            "TikTok publish",
            &self.cfg().poll,
            |s| req.progress.processing(s),
            || async {
                // Processing can outlive the 2-hour access token: each
                // status query takes the current one (renewed between
                // polls, never a second init).
                let data = req
                    .tokens
                    .authorized(req.account, |token| {
                        let body = &body;
                        async move {
                            self.call(
                                &token,
                                "status/fetch",
                                Idempotency::Idempotent,
                                "/v2/post/publish/status/fetch/",
                                body,
                            )
                            .await
                        }
                    })
                    .await?;
                let status = data.get("status").and_then(Value::as_str).unwrap_or("");
                match status {
                    "PUBLISH_COMPLETE" => {
                        if let Some(id) = public_id(&data) {
                            return Ok(Poll::Ready(Some(id)));
                        }
                        let mut at = completed_at
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        let since = *at.get_or_insert_with(Instant::now);
                        if since.elapsed() >= grace {
                            return Ok(Poll::Ready(None));
                        }
                        Ok(Poll::Pending {
                            state: "PUBLISH_COMPLETE (waiting for the public post id)".into(),
                            check_after: None,
                        })
                    }
                    "SEND_TO_USER_INBOX" => Ok(Poll::Ready(public_id(&data))),
                    "FAILED" => {
                        let reason = data
                            .get("fail_reason")
                            .and_then(Value::as_str)
                            .filter(|r| !r.is_empty())
                            .unwrap_or("unknown")
                            .to_owned();
                        Err(Error::MediaRejected {
                            platform: P,
                            reason: format!("TikTok could not publish the post: {reason}"),
                            code: Some(reason),
                        })
                    }
                    other => Ok(Poll::Pending {
                        state: if other.is_empty() {
                            "PROCESSING".into()
                        } else {
                            other.to_owned()
                        },
                        check_after: None,
                    }),
                }
            },
        )
        .await
    }

    /// The creator's recent posts: (id, title, description, create_time).
    async fn list_videos(&self, token: &str) -> Result<Vec<(String, String, String, i64)>> {
        let data = self
            .call(
                token,
                "video/list",
                Idempotency::Idempotent,
                VIDEO_LIST_PATH,
                &json!({"max_count": 20}),
            )
            .await?;
        Ok(data
            .get("videos")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| {
                let id = id_string(v.get("id")?)?;
                let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                let t = v.get("create_time").and_then(Value::as_i64).unwrap_or(0);
                Some((id, s("title"), s("video_description"), t))
            })
            .collect())
    }

    pub(super) async fn find_id(
        &self,
        token: &str,
        post: &Post,
        since: DateTime<Utc>,
    ) -> Result<Option<String>> {
        let photo_title = post.options.tiktok.photo_title.as_deref();
        let sent = crate::platforms::content::text(Platform::TikTok, post)?;
        Ok(self
            .list_videos(token)
            .await?
            .into_iter()
            .find(|(_, title, desc, t)| {
                let created = DateTime::from_timestamp(*t, 0);
                let listed = |text| Listed {
                    author: None,
                    created,
                    text,
                };
                let titles: Vec<&str> = [Some(sent.as_str()), photo_title]
                    .into_iter()
                    .flatten()
                    .collect();
                listed(title).made_by(None, since, &titles)
                    || listed(desc).made_by(None, since, &[&sent])
            })
            .map(|(id, ..)| id))
    }
}

/// A TikTok id given as a number or a string.
fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The first `publicaly_available_post_id` (sic), if any.
fn public_id(data: &Value) -> Option<String> {
    let v = data.get("publicaly_available_post_id")?;
    match v {
        Value::Array(a) => a.iter().find_map(id_string),
        other => id_string(other),
    }
}

pub(super) fn post_url(username: &str, photo: bool, id: &str) -> String {
    let kind = if photo { "photo" } else { "video" };
    format!("https://www.tiktok.com/@{username}/{kind}/{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_as_numbers_or_strings() {
        let d = json!({"publicaly_available_post_id": [7_123_456_789_012_345_678_u64]});
        assert_eq!(public_id(&d).as_deref(), Some("7123456789012345678"));
        let d = json!({"publicaly_available_post_id": ["7123"]});
        assert_eq!(public_id(&d).as_deref(), Some("7123"));
        assert_eq!(public_id(&json!({"publicaly_available_post_id": []})), None);
        assert_eq!(public_id(&json!({})), None);
        assert_eq!(
            post_url("a.b", true, "1"),
            "https://www.tiktok.com/@a.b/photo/1"
        );
    }
}
