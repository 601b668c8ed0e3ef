//! X v2 chunked media upload: initialize → APPEND segments (several in
//! flight, each streamed from the source and acknowledged into the
//! persisted session) → finalize → STATUS until `succeeded`.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use tracing::debug;

use super::{Api, Data, XClient};
use crate::http::Idempotency;
use crate::platforms::PublishRequest;
use crate::platforms::common::{streamed_part, upload_session};
use crate::upload::{Chunk, Poll, Stored, plan, poll_until, upload_chunks};
use crate::{Error, Media, MediaKind, Platform, Result};

#[derive(Deserialize)]
struct MediaData {
    id: String,
    #[serde(default)]
    processing_info: Option<ProcessingInfo>,
}

#[derive(Deserialize)]
struct ProcessingInfo {
    state: String,
    #[serde(default)]
    check_after_secs: Option<u64>,
    #[serde(default)]
    error: Option<Value>,
}

/// The persisted state of one chunked upload.
#[derive(Clone, Debug, serde::Serialize, Deserialize)]
struct Session {
    media_id: String,
    total: u64,
    segment: u64,
    acked: BTreeSet<u64>,
}

fn category(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Image => "tweet_image",
        MediaKind::Gif => "tweet_gif",
        MediaKind::Video => "tweet_video",
    }
}

impl XClient {
    /// Uploads one media item (resuming a persisted session) and returns
    /// its media id once X has finished processing it.
    pub(super) async fn upload(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        index: usize,
    ) -> Result<String> {
        let media = &req.post.media[index];
        let stored = upload_session::<Session>(req, index);
        let info = media.info();
        let segment = self.segment_size();
        let saved = stored
            .load()
            .await?
            .filter(|s| s.total == info.len && s.segment == segment);
        let resumed = saved.is_some();
        let session = match saved {
            Some(s) => s,
            None => self.initialize(api, &stored, media, segment).await?,
        };
        match self
            .append_and_finalize(api, req, &stored, media, session)
            .await
        {
            // The saved media id may have expired: start over once.
            Err(Error::Platform { status: 400, .. }) if resumed => {
                debug!("saved X upload session refused; starting a new one");
                let session = self.initialize(api, &stored, media, segment).await?;
                self.append_and_finalize(api, req, &stored, media, session)
                    .await
            }
            other => other,
        }
    }

    async fn initialize(
        &self,
        api: &Api<'_>,
        stored: &Stored<'_, Session>,
        media: &Media,
        segment: u64,
    ) -> Result<Session> {
        let info = media.info();
        let body = json!({
            "media_type": info.mime,
            "total_bytes": info.len,
            "media_category": category(info.kind),
        });
        let d: Data<MediaData> = api
            .json(
                "media.initialize",
                Idempotency::Idempotent,
                Method::POST,
                "/2/media/upload/initialize",
                |rb| rb.json(&body),
            )
            .await?;
        let s = Session {
            media_id: d.data.id,
            total: info.len,
            segment,
            acked: BTreeSet::new(),
        };
        stored.save(&s).await?;
        Ok(s)
    }

    async fn append_and_finalize(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        stored: &Stored<'_, Session>,
        media: &Media,
        session: Session,
    ) -> Result<String> {
        let id = session.media_id.clone();
        let all = plan(session.total, session.segment);
        if all.len() > 1000 {
            return Err(Error::invalid_media(
                media.info().name.clone().unwrap_or_default(),
                format!(
                    "{} bytes need {} APPEND segments of {} bytes; X allows 1000",
                    session.total,
                    all.len(),
                    session.segment
                ),
            ));
        }
        let done: u64 = all
            .iter()
            .filter(|c| session.acked.contains(&c.index))
            .map(|c| c.len)
            .sum();
        let missing: Vec<Chunk> = all
            .into_iter()
            .filter(|c| !session.acked.contains(&c.index))
            .collect();
        let state = tokio::sync::Mutex::new(session);
        let path = format!("/2/media/upload/{id}/append");
        let piece = self.cfg.upload.piece_size;
        let source = media.source();
        upload_chunks(
            &self.cfg.upload,
            missing,
            media.info().len,
            done,
            &req.progress,
            |c: Chunk| {
                let (path, state) = (&path, &state);
                async move {
                    api.send(
                        "media.append",
                        Idempotency::Idempotent,
                        Method::POST,
                        path,
                        |rb| {
                            let form = reqwest::multipart::Form::new()
                                .text("segment_index", c.index.to_string())
                                .part("media", streamed_part(source, c.offset, c.len, piece));
                            rb.multipart(form)
                        },
                    )
                    .await?;
                    let mut s = state.lock().await;
                    s.acked.insert(c.index);
                    stored.save(&s).await
                }
            },
        )
        .await?;

        let d: Data<MediaData> = api
            .json(
                "media.finalize",
                Idempotency::Idempotent,
                Method::POST,
                &format!("/2/media/upload/{id}/finalize"),
                |rb| rb,
            )
            .await?;
        let pending = match &d.data.processing_info {
            Some(info) => matches!(processing(info)?, Poll::Pending { .. }),
            None => false,
        };
        if pending {
            let path = format!("/2/media/upload?command=STATUS&media_id={id}");
            let processed = poll_until(
                Platform::X,
                "media processing",
                &self.cfg.poll,
                |s| req.progress.processing(s),
                || async {
                    let d: Data<MediaData> = api
                        .json(
                            "media.status",
                            Idempotency::Idempotent,
                            Method::GET,
                            &path,
                            |rb| rb,
                        )
                        .await?;
                    match d.data.processing_info {
                        Some(info) => processing(&info),
                        None => Ok(Poll::Ready(())),
                    }
                },
            )
            .await;
            stored.forget_rejected(processed).await?;
        }
        stored.remove().await?;
        Ok(d.data.id)
    }
}

/// Reads `processing_info`: ready, pending (with X's hint) or rejected.
fn processing(info: &ProcessingInfo) -> Result<Poll<()>> {
    match info.state.as_str() {
        "succeeded" => Ok(Poll::Ready(())),
        "failed" => {
            let e = info.error.as_ref();
            let text = |k: &str| {
                e.and_then(|e| e.get(k))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            Err(Error::MediaRejected {
                platform: Platform::X,
                reason: text("message").unwrap_or_else(|| "media processing failed".into()),
                code: text("name").or_else(|| e.and_then(|e| e.get("code")).map(Value::to_string)),
            })
        }
        state => Ok(Poll::Pending {
            state: state.to_owned(),
            check_after: info.check_after_secs.map(Duration::from_secs),
        }),
    }
}
