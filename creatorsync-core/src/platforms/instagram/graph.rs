//! Graph API calls of the Instagram client: every call signed with
//! `access_token` + `appsecret_proof`, media containers and their status,
//! and the resumable (`rupload`) video upload.

use std::sync::Arc;

use async_trait::async_trait;
use reqwest::header::AUTHORIZATION;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tracing::{debug, info};

use super::{Instagram, InstagramClient, P};
use crate::http::{Idempotency, decode_json};
use crate::platforms::PublishRequest;
use crate::platforms::common::{platform_upload_url, upload_session};
use crate::platforms::meta;
pub(super) use crate::platforms::meta::Params;
use crate::upload::{Poll, Resumable, ServerOffset, poll_until, upload_resumable};
use crate::{Error, Media, Platform, Result};

/// One account's signed Graph session.
pub(super) struct Graph<'a> {
    pub(super) client: &'a InstagramClient,
    pub(super) meta: meta::Graph<'a>,
}

/// A persisted resumable upload (the URI accepts bytes with the token only,
/// but keep it private anyway).
#[derive(Debug, Serialize, Deserialize)]
struct RuploadSession {
    container_id: String,
    uri: String,
    total: u64,
}

impl<'a> Graph<'a> {
    pub(super) fn new(client: &'a InstagramClient, token: &'a str) -> Self {
        let cfg = client.cfg();
        Self {
            client,
            meta: meta::Graph::new(
                &cfg.http,
                &cfg.endpoints,
                &Instagram,
                cfg.client_secret.expose(),
                token,
                cfg.api_version.as_deref(),
            ),
        }
    }

    /// `GET /{version}{path}` with `params`.
    pub(super) async fn get(&self, op: &'static str, path: &str, params: Params) -> Result<Value> {
        self.meta.get(op, path, params).await
    }

    /// The public URL of the media `id`.
    pub(super) async fn permalink(&self, id: &str) -> Result<String> {
        let v = self
            .get(
                "permalink",
                &format!("/{id}"),
                vec![("fields", "permalink".to_owned())],
            )
            .await?;
        str_field(&v, "permalink")
    }

    /// `POST /{version}{path}` with form `params`.
    pub(super) async fn post(
        &self,
        op: &'static str,
        idempotency: Idempotency,
        path: &str,
        params: Params,
    ) -> Result<Value> {
        self.meta.post(op, idempotency, path, params).await
    }

    /// Creates a container (`POST /{ig}/media`); returns its id and the
    /// whole answer. Creating a container publishes nothing: safe to retry.
    pub(super) async fn create_container(
        &self,
        ig: &str,
        params: Params,
    ) -> Result<(String, Value)> {
        let v = self
            .post(
                "media container",
                Idempotency::Idempotent,
                &format!("/{ig}/media"),
                params,
            )
            .await?;
        let id = str_field(&v, "id")?;
        Ok((id, v))
    }

    /// Polls a container until `FINISHED`.
    pub(super) async fn wait_container(&self, id: &str, req: &PublishRequest<'_>) -> Result<()> {
        poll_until(
            P,
            "media container",
            &self.client.cfg().poll,
            |s| req.progress.processing(s),
            || async {
                let v = self
                    .get(
                        "container status",
                        &format!("/{id}"),
                        vec![("fields", "status_code,status".to_owned())],
                    )
                    .await?;
                container_state(&v)
            },
        )
        .await
    }

    /// Uploads a video through the resumable protocol: a container with
    /// `upload_type=resumable`, then the bytes to its `uri` (resuming from
    /// the server's offset after a failure); returns the container id once
    /// the upload is complete (processing is awaited by the caller).
    pub(super) async fn rupload(
        &self,
        ig: &str,
        params: Params,
        media: &Media,
        index: usize,
        req: &PublishRequest<'_>,
    ) -> Result<String> {
        let total = media.info().len;
        let stored = upload_session::<RuploadSession>(req, index);
        let saved = stored.load().await?.filter(|s| s.total == total);
        let upload = |session| Rupload {
            graph: self,
            session,
            source: media.source().clone(),
        };
        let (upload, offset) = match saved {
            Some(s) => {
                let upload = upload(s);
                let offset = match upload.query(total).await? {
                    ServerOffset::Done(()) => total,
                    ServerOffset::Incomplete(n) => n,
                };
                info!(offset, "resuming the persisted Instagram upload");
                (upload, offset)
            }
            None => {
                let mut params = params;
                params.push(("upload_type", "resumable".to_owned()));
                let (container_id, v) = self.create_container(ig, params).await?;
                let raw = v.get("uri").and_then(Value::as_str).ok_or_else(|| {
                    Error::unexpected_response(
                        P,
                        None,
                        "the resumable container has no upload uri",
                        Some(&v.to_string()),
                    )
                })?;
                let uri = platform_upload_url(P, &self.client.cfg().endpoints, raw)?;
                let s = RuploadSession {
                    container_id,
                    uri: uri.to_string(),
                    total,
                };
                stored.save(&s).await?;
                (upload(s), 0)
            }
        };
        upload_resumable(
            &upload,
            &self.client.cfg().upload,
            &req.progress,
            offset,
            total,
        )
        .await?;
        stored.remove().await?;
        Ok(upload.session.container_id)
    }

    /// Bytes the server holds for a resumable upload, from the container's
    /// `video_status.uploading_phase.bytes_transferred` (UNCONFIRMED field,
    /// from Meta's Reels upload docs), else from `GET <uri>` `offset`.
    async fn server_offset(&self, s: &RuploadSession) -> Result<u64> {
        let v = self
            .get(
                "container status",
                &format!("/{}", s.container_id),
                vec![("fields", "status_code,status,video_status".to_owned())],
            )
            .await?;
        if let Some(n) = v
            .pointer("/video_status/uploading_phase/bytes_transferred")
            .and_then(as_u64)
        {
            debug!(offset = n, "server offset from the container");
            return Ok(n.min(s.total));
        }
        let token = self.meta.token();
        let resp = self
            .client
            .cfg()
            .http
            .send(&Instagram, "rupload status", Idempotency::Idempotent, |c| {
                c.get(s.uri.as_str())
                    .header(AUTHORIZATION, format!("OAuth {token}"))
            })
            .await?;
        let v: Value = decode_json(P, resp).await?;
        Ok(v.get("offset").and_then(as_u64).unwrap_or(0).min(s.total))
    }
}

/// The `rupload` protocol on one container's upload URI: one streaming
/// `POST` of `[offset, total)` with an `offset` header; the server's offset
/// from the container or `GET <uri>`.
struct Rupload<'g, 'a> {
    graph: &'g Graph<'a>,
    session: RuploadSession,
    source: Arc<dyn crate::MediaSource>,
}

#[async_trait]
impl Resumable for Rupload<'_, '_> {
    type Done = ();

    fn platform(&self) -> Platform {
        P
    }

    async fn send(&self, offset: u64, len: u64, total: u64) -> Result<ServerOffset<()>> {
        let cfg = self.graph.client.cfg();
        meta::rupload::Rupload {
            http: &cfg.http,
            shape: &Instagram,
            op: "rupload",
            token: self.graph.meta.token(),
            url: &self.session.uri,
            source: &self.source,
            piece: cfg.upload.piece_size,
        }
        .send(offset, len, total)
        .await
    }

    async fn query(&self, total: u64) -> Result<ServerOffset<()>> {
        let n = self.graph.server_offset(&self.session).await?;
        Ok(meta::rupload::held(n, total))
    }
}

/// A number given as a number or a numeric string.
fn as_u64(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

pub(super) fn str_field(v: &Value, key: &str) -> Result<String> {
    v.get(key)
        .and_then(|x| {
            x.as_str()
                .map(str::to_owned)
                .or_else(|| x.as_u64().map(|n| n.to_string()))
        })
        .ok_or_else(|| {
            Error::unexpected_response(
                P,
                None,
                &format!("the answer has no {key}"),
                Some(&v.to_string()),
            )
        })
}

/// Maps a container status to a poll step.
fn container_state(v: &Value) -> Result<Poll<()>> {
    let code = v.get("status_code").and_then(Value::as_str).unwrap_or("");
    let status = v.get("status").and_then(Value::as_str).unwrap_or("");
    match code {
        "FINISHED" | "PUBLISHED" => Ok(Poll::Ready(())),
        "ERROR" | "EXPIRED" => Err(Error::MediaRejected {
            platform: P,
            reason: if status.is_empty() {
                format!("the media container is {code}")
            } else {
                format!("the media container is {code}: {status}")
            },
            code: Some(
                subcode(status)
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| code.to_owned()),
            ),
        }),
        other => Ok(Poll::Pending {
            state: if other.is_empty() {
                "IN_PROGRESS".into()
            } else {
                other.to_owned()
            },
            check_after: None,
        }),
    }
}

/// The first 7-digit Instagram error subcode (22070xx) in a status text.
fn subcode(status: &str) -> Option<u64> {
    status
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| s.len() == 7)
        .find_map(|s| s.parse().ok())
}

/// Whether a container failed because Meta could not fetch its media URL
/// (2207052 media fetch failed, 2207003 download timeout, or an
/// unreachable/fetch/download failure message).
pub(super) fn is_fetch_failure(e: &Error) -> bool {
    let Error::MediaRejected { reason, code, .. } = e else {
        return false;
    };
    let code = code.as_deref().unwrap_or("");
    let reason = reason.to_ascii_lowercase();
    code.contains("2207052")
        || code.contains("2207003")
        || reason.contains("2207052")
        || reason.contains("2207003")
        || ["fetch", "download", "unreachable"]
            .iter()
            .any(|w| reason.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn container_states_and_fetch_failures() {
        assert!(matches!(
            container_state(&json!({"status_code": "FINISHED"})),
            Ok(Poll::Ready(()))
        ));
        assert!(matches!(
            container_state(&json!({"status_code": "IN_PROGRESS"})),
            Ok(Poll::Pending { .. })
        ));
        let e = container_state(
            &json!({"status_code": "ERROR", "status": "Error: 2207052 Media fetch failed"}),
        )
        .unwrap_err();
        assert!(is_fetch_failure(&e), "{e}");
        let e = container_state(
            &json!({"status_code": "ERROR", "status": "2207026: unsupported video format"}),
        )
        .unwrap_err();
        assert!(!is_fetch_failure(&e));
        assert!(matches!(e, Error::MediaRejected { code: Some(c), .. } if c == "2207026"));
        let e = container_state(&json!({"status_code": "EXPIRED"})).unwrap_err();
        assert!(matches!(e, Error::MediaRejected { .. }));
    }
}
