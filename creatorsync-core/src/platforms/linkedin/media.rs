//! LinkedIn media: images (initializeUpload → PUT → AVAILABLE) and
//! multi-part videos (initializeUpload → PUT parts with ETags →
//! finalizeUpload → AVAILABLE), with persisted sessions.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;
use url::Url;

use super::LinkedInClient;
use super::api::{Api, enc};
use crate::http::Idempotency;
use crate::platforms::PublishRequest;
use crate::platforms::common::upload_session;
use crate::upload::{Chunk, Poll, poll_until, range_body, upload_chunks, with_chunk_retry};
use crate::{Error, Media, Platform, Result};

#[derive(Deserialize)]
struct Wrapped<T> {
    value: T,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImageInit {
    upload_url: String,
    image: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VideoInit {
    video: String,
    #[serde(default)]
    upload_token: String,
    upload_instructions: Vec<Instruction>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Instruction {
    upload_url: String,
    first_byte: u64,
    last_byte: u64,
}

/// The persisted state of a video upload.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct VideoSession {
    video: String,
    total: u64,
    upload_token: String,
    instructions: Vec<Instruction>,
    etags: Vec<Option<String>>,
}

/// The persisted state of an image upload (after its PUT succeeded).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct ImageSession {
    image: String,
    total: u64,
}

#[derive(Deserialize)]
struct Status {
    status: String,
}

impl LinkedInClient {
    /// Polls `GET /rest/{kind}/{urn}` until `AVAILABLE`.
    pub(super) async fn wait_available(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        kind: &str,
        urn: &str,
    ) -> Result<()> {
        let path = format!("/rest/{kind}/{}", enc(urn));
        poll_until(
            Platform::LinkedIn,
            kind,
            &self.cfg.poll,
            |s| req.progress.processing(s),
            || async {
                let s: Status = api
                    .json(
                        "media.status",
                        Idempotency::Idempotent,
                        Method::GET,
                        &path,
                        None,
                    )
                    .await?;
                match s.status.as_str() {
                    "AVAILABLE" => Ok(Poll::Ready(())),
                    "PROCESSING_FAILED" => Err(Error::MediaRejected {
                        platform: Platform::LinkedIn,
                        reason: format!("LinkedIn could not process {urn}"),
                        code: Some("PROCESSING_FAILED".into()),
                    }),
                    other => Ok(Poll::Pending {
                        state: other.to_owned(),
                        check_after: None,
                    }),
                }
            },
        )
        .await
    }

    /// PUTs `[offset, offset + len)` of `media` to an upload URL; returns
    /// the part's ETag.
    async fn put_part(
        &self,
        api: &Api<'_>,
        url: &str,
        media: &Media,
        c: Chunk,
    ) -> Result<Option<String>> {
        let url = Url::parse(url).map_err(|e| {
            Error::unexpected_response(
                Platform::LinkedIn,
                None,
                &format!("upload URL is not a URL: {e}"),
                None,
            )
        })?;
        let source = media.source();
        let piece = self.cfg.upload.piece_size;
        let resp = api
            .send(
                "media.put",
                Idempotency::Idempotent,
                Method::PUT,
                url,
                |rb| {
                    rb.header("content-type", "application/octet-stream")
                        .header("content-length", c.len)
                        .body(range_body(source.clone(), c.offset, c.len, piece))
                },
            )
            .await?;
        Ok(resp
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned))
    }

    pub(super) async fn upload_image(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        author: &str,
        index: usize,
    ) -> Result<String> {
        self.upload_image_of(api, req, author, &req.post.media[index], index)
            .await
    }

    /// Uploads `media` (an image outside the post's media, such as a link
    /// thumbnail, uses a `slot` past them) with its session under `slot`.
    pub(super) async fn upload_image_of(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        author: &str,
        media: &Media,
        index: usize,
    ) -> Result<String> {
        let stored = upload_session::<ImageSession>(req, index);
        let total = media.info().len;
        let saved = stored.load().await?.filter(|s| s.total == total);
        let image = match saved {
            Some(s) => s.image,
            None => {
                let body = json!({ "initializeUploadRequest": { "owner": author } });
                let init: Wrapped<ImageInit> = api
                    .json(
                        "images.initialize",
                        Idempotency::Idempotent,
                        Method::POST,
                        "/rest/images?action=initializeUpload",
                        Some(&body),
                    )
                    .await?;
                let whole = Chunk {
                    index: 0,
                    offset: 0,
                    len: total,
                };
                with_chunk_retry(&self.cfg.upload, whole, |c| {
                    self.put_part(api, &init.value.upload_url, media, c)
                })
                .await?;
                req.progress.uploading(total, total);
                let s = ImageSession {
                    image: init.value.image,
                    total,
                };
                stored.save(&s).await?;
                s.image
            }
        };
        let available = self.wait_available(api, req, "images", &image).await;
        stored.forget_rejected(available).await?;
        stored.remove().await?;
        Ok(image)
    }

    pub(super) async fn upload_video(
        &self,
        api: &Api<'_>,
        req: &PublishRequest<'_>,
        author: &str,
        index: usize,
    ) -> Result<String> {
        let media = &req.post.media[index];
        let stored = upload_session::<VideoSession>(req, index);
        let total = media.info().len;
        let saved = stored
            .load()
            .await?
            .filter(|s| s.total == total && s.etags.len() == s.instructions.len());
        let session = match saved {
            Some(s) => s,
            None => {
                let body = json!({ "initializeUploadRequest": {
                    "owner": author,
                    "fileSizeBytes": total,
                    "uploadCaptions": false,
                    "uploadThumbnail": false,
                }});
                let init: Wrapped<VideoInit> = api
                    .json(
                        "videos.initialize",
                        Idempotency::Idempotent,
                        Method::POST,
                        "/rest/videos?action=initializeUpload",
                        Some(&body),
                    )
                    .await?;
                let v = init.value;
                let s = VideoSession {
                    video: v.video,
                    total,
                    upload_token: v.upload_token,
                    etags: vec![None; v.upload_instructions.len()],
                    instructions: v.upload_instructions,
                };
                stored.save(&s).await?;
                s
            }
        };
        let mut chunks = Vec::new();
        let mut done = 0;
        for (i, ins) in session.instructions.iter().enumerate() {
            if ins.last_byte < ins.first_byte || ins.last_byte >= total {
                return Err(Error::unexpected_response(
                    Platform::LinkedIn,
                    None,
                    &format!(
                        "upload instruction {i} covers bytes {}-{} of a {total}-byte file",
                        ins.first_byte, ins.last_byte
                    ),
                    None,
                ));
            }
            let c = Chunk {
                index: i as u64,
                offset: ins.first_byte,
                len: ins.last_byte - ins.first_byte + 1,
            };
            if session.etags[i].is_some() {
                done += c.len;
            } else {
                chunks.push(c);
            }
        }
        let state = tokio::sync::Mutex::new(session);
        let urls: Vec<String> = state
            .lock()
            .await
            .instructions
            .iter()
            .map(|i| i.upload_url.clone())
            .collect();
        upload_chunks(
            &self.cfg.upload,
            chunks,
            total,
            done,
            &req.progress,
            |c: Chunk| {
                let (state, urls, stored) = (&state, &urls, &stored);
                async move {
                    let i = usize::try_from(c.index).unwrap_or(usize::MAX);
                    let url = urls.get(i).ok_or_else(|| {
                        Error::unexpected_response(
                            Platform::LinkedIn,
                            None,
                            "missing upload instruction",
                            None,
                        )
                    })?;
                    let etag = self.put_part(api, url, media, c).await?.ok_or_else(|| {
                        Error::unexpected_response(
                            Platform::LinkedIn,
                            None,
                            &format!("LinkedIn answered part {i} without an ETag"),
                            None,
                        )
                    })?;
                    let mut s = state.lock().await;
                    s.etags[i] = Some(etag);
                    stored.save(&*s).await
                }
            },
        )
        .await?;
        let session = state.into_inner();
        let etags: Vec<String> = session.etags.iter().flatten().cloned().collect();
        let body = json!({ "finalizeUploadRequest": {
            "video": session.video,
            "uploadToken": session.upload_token,
            "uploadedPartIds": etags,
        }});
        api.send(
            "videos.finalize",
            Idempotency::Idempotent,
            Method::POST,
            api.url("/rest/videos?action=finalizeUpload"),
            |rb| rb.json(&body),
        )
        .await?;
        let available = self
            .wait_available(api, req, "videos", &session.video)
            .await;
        stored.forget_rejected(available).await?;
        stored.remove().await?;
        Ok(session.video)
    }
}
