//! After the upload: `videos.list` polled until YouTube has processed the
//! video, `failed`/`rejected`/`deleted` mapped to
//! [`Error::MediaRejected`].

use super::YouTube;
use serde_json::Value;

use super::{P, YouTubeClient, watch_url};
use crate::http::{Idempotency, decode_json};
use crate::platforms::{Lookup, PublishRequest, Published};
use crate::upload::{Poll, poll_until};
use crate::{Error, Result};

impl YouTubeClient {
    /// Polls processing until the video is processed.
    /// One look at video `id`: live, still processing or refused, or gone.
    pub(super) async fn lookup_video(&self, token: &str, id: &str) -> Result<Lookup> {
        let url = self.api(&format!(
            "/youtube/v3/videos?part=status,processingDetails&id={id}"
        ));
        let resp = self
            .cfg()
            .http
            .send(&YouTube, "videos.list", Idempotency::Idempotent, |c| {
                c.get(url.clone()).bearer_auth(token)
            })
            .await?;
        let v: Value = decode_json(P, resp).await?;
        if v.pointer("/items/0").is_none() {
            return Ok(Lookup::Absent);
        }
        let unfinished = |reason: String| Lookup::Unfinished {
            post_id: id.to_owned(),
            reason,
        };
        Ok(match processing_state(&v) {
            Ok(Poll::Ready(())) => Lookup::Found(Published {
                post_id: id.to_owned(),
                url: watch_url(id),
            }),
            Ok(Poll::Pending { state, .. }) => unfinished(state),
            Err(e) => unfinished(e.to_string()),
        })
    }

    pub(super) async fn wait_processed(
        &self,
        token: &str,
        id: &str,
        req: &PublishRequest<'_>,
    ) -> Result<()> {
        let url = self.api(&format!(
            "/youtube/v3/videos?part=status,processingDetails&id={id}"
        ));
        poll_until(
            P,
            "video processing",
            &self.cfg().poll,
            |s| req.progress.processing(s),
            || async {
                let resp = self
                    .cfg()
                    .http
                    .send(&YouTube, "videos.list", Idempotency::Idempotent, |c| {
                        c.get(url.clone()).bearer_auth(token)
                    })
                    .await?;
                let v: Value = decode_json(P, resp).await?;
                processing_state(&v)
            },
        )
        .await
    }
}

/// Maps a `videos.list` answer to a poll step.
fn processing_state(v: &Value) -> Result<Poll<()>> {
    let Some(item) = v.pointer("/items/0") else {
        return Ok(Poll::Pending {
            state: "not_listed_yet".into(),
            check_after: None,
        });
    };
    let status = item.pointer("/status/uploadStatus").and_then(Value::as_str);
    let reason = |key: &str| {
        item.pointer(&format!("/status/{key}"))
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_owned()
    };
    match status {
        Some("processed") => Ok(Poll::Ready(())),
        Some("failed") => Err(Error::MediaRejected {
            platform: P,
            reason: format!("processing failed: {}", reason("failureReason")),
            code: Some(reason("failureReason")),
        }),
        Some("rejected") => Err(Error::MediaRejected {
            platform: P,
            reason: format!("video rejected: {}", reason("rejectionReason")),
            code: Some(reason("rejectionReason")),
        }),
        Some("deleted") => Err(Error::MediaRejected {
            platform: P,
            reason: "the video was deleted during processing".into(),
            code: Some("deleted".into()),
        }),
        other => {
            let state = item
                .pointer("/processingDetails/processingStatus")
                .and_then(Value::as_str)
                .or(other)
                .unwrap_or("processing");
            if state == "failed" || state == "terminated" {
                return Err(Error::MediaRejected {
                    platform: P,
                    reason: format!("processing {state}"),
                    code: Some(state.to_owned()),
                });
            }
            Ok(Poll::Pending {
                state: state.to_owned(),
                check_after: None,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn processing_states() {
        let v = json!({"items":[{"status":{"uploadStatus":"processed"}}]});
        assert!(matches!(processing_state(&v), Ok(Poll::Ready(()))));
        let v = json!({"items":[{"status":{"uploadStatus":"uploaded"},"processingDetails":{"processingStatus":"processing"}}]});
        assert!(matches!(processing_state(&v), Ok(Poll::Pending { .. })));
        let v = json!({"items":[{"status":{"uploadStatus":"failed","failureReason":"codec"}}]});
        match processing_state(&v) {
            Err(Error::MediaRejected { reason, .. }) => assert!(reason.contains("codec")),
            other => panic!("{:?}", other.map(|_| ())),
        }
        let v =
            json!({"items":[{"status":{"uploadStatus":"rejected","rejectionReason":"duplicate"}}]});
        assert!(matches!(
            processing_state(&v),
            Err(Error::MediaRejected { .. })
        ));
    }
}
