//! Page Reels: `POST /{page}/video_reels` `upload_phase=start` (a video id
//! and an upload URL on the rupload host) → the bytes from the server's
//! offset (`offset` / `file_size` headers, Page token in `Authorization:
//! OAuth`; the shared resumable driver, the session persisted) →
//! `upload_phase=finish` with `video_state=PUBLISHED` (the create) →
//! processing status. Meta allows 30 API-published reels per Page per
//! rolling 24 h and 3–90 s videos; the SDK does not probe media, so the
//! duration is left to Meta.
//!
//! Source: developers.facebook.com/documentation/video-api/guides/reels-publishing
//! (updated 2026-07-30, read 2026-12).

use std::sync::Arc;

use async_trait::async_trait;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tracing::{debug, info};

use super::api::{Api, offset, with_query};
use super::{Facebook, FacebookClient};
use crate::http::{Host, Idempotency};
use crate::platforms::common::{platform_upload_url, upload_session};
use crate::platforms::meta::rupload::{Rupload, held};
use crate::platforms::{PublishRequest, Published};
use crate::upload::{Resumable, ServerOffset, Stored, upload_resumable};
use crate::{Error, MediaSource, Platform, Result};

/// The persisted state of a reel upload.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct ReelSession {
    video_id: String,
    upload_url: String,
    total: u64,
}

impl FacebookClient {
    /// Uploads the reel's video and publishes it.
    pub(super) async fn reel(&self, api: &Api<'_>, req: &PublishRequest<'_>) -> Result<Published> {
        let media = &req.post.media[0];
        let total = media.info().len;
        let stored = upload_session::<ReelSession>(req, 0);
        let saved = stored.load().await?.filter(|s| s.total == total);
        let protocol = |s: ReelSession| ReelUpload {
            client: self,
            api,
            session: s,
            source: media.source().clone(),
        };
        let resumed = match saved {
            Some(s) => {
                let p = protocol(s);
                match p.query(total).await {
                    Ok(ServerOffset::Done(())) => Some((p, total)),
                    Ok(ServerOffset::Incomplete(n)) => Some((p, n)),
                    Err(Error::Platform {
                        status: 400..=499, ..
                    }) => {
                        debug!("saved Facebook reel session refused; starting a new one");
                        None
                    }
                    Err(e) => return Err(e),
                }
            }
            None => None,
        };
        let (upload, at) = match resumed {
            Some((p, at)) => {
                info!(offset = at, "resuming the persisted Facebook reel upload");
                (p, at)
            }
            None => (protocol(self.reel_start(api, &stored, total).await?), 0),
        };
        upload_resumable(&upload, &self.cfg.upload, &req.progress, at, total).await?;
        let video_id = upload.session.video_id.clone();
        let description = crate::platforms::content::text(Platform::Facebook, req.post)?;
        let form = [
            ("upload_phase", "finish"),
            ("video_id", video_id.as_str()),
            ("video_state", "PUBLISHED"),
            ("description", description.as_str()),
        ];
        let url = api.url(Host::Api, &format!("/{}/video_reels", api.page));
        let finish = api.graph.send(
            "reels.finish",
            Idempotency::NonIdempotent,
            Method::POST,
            url,
            |rb| rb.form(&form),
        );
        // The finish publishes the reel.
        req.commit.create(None, finish).await?;
        req.commit.acknowledged(&video_id).await?;
        stored.remove().await?;
        self.wait_ready(api, req, &video_id).await?;
        api.permalink(&video_id).await
    }

    async fn reel_start(
        &self,
        api: &Api<'_>,
        stored: &Stored<'_, ReelSession>,
        total: u64,
    ) -> Result<ReelSession> {
        let url = api.url(Host::Api, &format!("/{}/video_reels", api.page));
        let v: Value = api
            .graph
            .json(
                "reels.start",
                Idempotency::Idempotent,
                Method::POST,
                url,
                |rb| rb.form(&[("upload_phase", "start")]),
            )
            .await?;
        let text = |k: &str| {
            v.get(k)
                .and_then(|x| {
                    x.as_str()
                        .map(str::to_owned)
                        .or_else(|| x.as_u64().map(|n| n.to_string()))
                })
                .ok_or_else(|| {
                    Error::unexpected_response(
                        Platform::Facebook,
                        None,
                        &format!("the reel start answer lacks {k}"),
                        Some(&v.to_string()),
                    )
                })
        };
        let raw = text("upload_url")?;
        let url = platform_upload_url(Platform::Facebook, &self.cfg.endpoints, &raw)?;
        let s = ReelSession {
            video_id: text("video_id")?,
            upload_url: url.to_string(),
            total,
        };
        stored.save(&s).await?;
        Ok(s)
    }
}

/// The rupload protocol of one reel: a streaming `POST` of
/// `[offset, total)` with `offset` and `file_size` headers; the server's
/// offset from `GET /{video}?fields=status`
/// (`uploading_phase.bytes_transferred`).
struct ReelUpload<'c, 'a> {
    client: &'c FacebookClient,
    api: &'c Api<'a>,
    session: ReelSession,
    source: Arc<dyn MediaSource>,
}

#[async_trait]
impl Resumable for ReelUpload<'_, '_> {
    type Done = ();

    fn platform(&self) -> Platform {
        Platform::Facebook
    }

    async fn send(&self, offset: u64, len: u64, total: u64) -> Result<ServerOffset<()>> {
        let cfg = &self.client.cfg;
        Rupload {
            http: &cfg.http,
            shape: &Facebook,
            op: "reels.upload",
            token: self.api.graph.token(),
            url: &self.session.upload_url,
            source: &self.source,
            piece: cfg.upload.piece_size,
        }
        .send(offset, len, total)
        .await
    }

    async fn query(&self, total: u64) -> Result<ServerOffset<()>> {
        let url = with_query(
            self.api
                .url(Host::Api, &format!("/{}", self.session.video_id)),
            &[("fields", "status")],
        );
        let v: Value = self
            .api
            .graph
            .json(
                "reels.status",
                Idempotency::Idempotent,
                Method::GET,
                url,
                |rb| rb,
            )
            .await?;
        let n = match v.pointer("/status/uploading_phase/bytes_transferred") {
            Some(n) => offset(n)?,
            None => 0,
        };
        Ok(held(n, total))
    }
}
