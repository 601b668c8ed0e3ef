//! LinkedIn images and videos: `initializeUpload`, streamed PUTs to the
//! upload URLs (one per 4 MiB video part, each answered with an ETag),
//! `finalizeUpload`, and the asset status machines.

use std::collections::HashMap;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use creatorsync_core::Platform;
use serde_json::{Value, json};

use super::{Li, St, li_error, rest};
use crate::body::{StreamHash, drain};
use crate::record::{ChunkRecord, MediaRecord};
use crate::tokens::TokenInfo;

/// Bytes per video upload instruction (UNCONFIRMED official wording; matches fixtures).
pub(crate) const VIDEO_PART_BYTES: u64 = 4 * 1024 * 1024;
/// Largest video accepted (UNCONFIRMED: 500 MB for members, up to 5 GB
/// cited for organizations; the larger bound is used).
pub(crate) const MAX_VIDEO_BYTES: u64 = 5 * 1024 * 1024 * 1024;
/// Milliseconds upload URLs stay valid.
const UPLOAD_URL_TTL_MS: i64 = 24 * 3600 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Image,
    Video,
}

/// One image or video.
#[derive(Debug)]
pub(super) struct Asset {
    urn: String,
    kind: Kind,
    owner: String,
    /// Video parts: (first byte, last byte, ETag once uploaded).
    parts: Vec<(u64, u64, Option<String>)>,
    hash: StreamHash,
    hashed_parts: usize,
    in_order: bool,
    len: u64,
    /// When processing started (image upload / video finalize).
    ready_at: Option<DateTime<Utc>>,
    fails: bool,
}

impl Asset {
    fn status(&self, now: DateTime<Utc>, delay: std::time::Duration) -> &'static str {
        let Some(at) = self.ready_at else {
            return "WAITING_UPLOAD";
        };
        if now - at < chrono::Duration::from_std(delay).unwrap_or_default() {
            "PROCESSING"
        } else if self.fails {
            "PROCESSING_FAILED"
        } else {
            "AVAILABLE"
        }
    }
}

fn lock(li: &Li) -> std::sync::MutexGuard<'_, HashMap<String, Asset>> {
    li.assets
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn bad(message: &str) -> Response {
    li_error(StatusCode::BAD_REQUEST, "ILLEGAL_ARGUMENT", message, 100)
}

fn json_of(body: &[u8]) -> Result<Value, Response> {
    serde_json::from_slice(body).map_err(|e| bad(&format!("Invalid JSON body: {e}")))
}

fn owner_of(li: &Li, token: &TokenInfo, v: &Value) -> Result<String, Response> {
    let owner = v["initializeUploadRequest"]["owner"]
        .as_str()
        .unwrap_or_default();
    li.writer(token, owner)?;
    Ok(owner.to_owned())
}

fn new_asset(
    li: &Li,
    kind: Kind,
    owner: String,
    parts: Vec<(u64, u64, Option<String>)>,
) -> (String, String) {
    let id = format!(
        "{}{}",
        if kind == Kind::Image {
            "C4E10AQ"
        } else {
            "C5F10AQ"
        },
        crate::tokens::random_token("", 9).replace(['-', '_'], "x")
    );
    let urn = format!(
        "urn:li:{}:{id}",
        if kind == Kind::Image {
            "image"
        } else {
            "video"
        }
    );
    lock(li).insert(
        id.clone(),
        Asset {
            urn: urn.clone(),
            kind,
            owner,
            parts,
            hash: StreamHash::default(),
            hashed_parts: 0,
            in_order: true,
            len: 0,
            ready_at: None,
            fails: false,
        },
    );
    (id, urn)
}

/// `POST /rest/images?action=initializeUpload`.
pub(super) async fn images_action(
    State(li): St,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let t = match rest(&li, &headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    if q.get("action").map(String::as_str) != Some("initializeUpload") {
        return bad("action=initializeUpload is required");
    }
    let owner = match json_of(&body).and_then(|v| owner_of(&li, &t, &v)) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (id, urn) = new_asset(&li, Kind::Image, owner, Vec::new());
    let base = li.ctx.base(Platform::LinkedIn);
    Json(json!({"value": {
        "uploadUrlExpiresAt": li.ctx.clock.now().timestamp_millis() + UPLOAD_URL_TTL_MS,
        "uploadUrl": format!("{base}/dms-uploads/image/{id}"),
        "image": urn,
    }}))
    .into_response()
}

/// `POST /rest/videos?action=initializeUpload|finalizeUpload`.
pub(super) async fn videos_action(
    State(li): St,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let t = match rest(&li, &headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let v = match json_of(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    match q.get("action").map(String::as_str) {
        Some("initializeUpload") => {
            let owner = match owner_of(&li, &t, &v) {
                Ok(o) => o,
                Err(r) => return r,
            };
            let Some(size) = v["initializeUploadRequest"]["fileSizeBytes"]
                .as_u64()
                .filter(|n| (1..=MAX_VIDEO_BYTES).contains(n))
            else {
                return bad(&format!(
                    "initializeUploadRequest.fileSizeBytes must be 1..={MAX_VIDEO_BYTES}"
                ));
            };
            let parts: Vec<_> = (0..size.div_ceil(VIDEO_PART_BYTES))
                .map(|i| {
                    (
                        i * VIDEO_PART_BYTES,
                        ((i + 1) * VIDEO_PART_BYTES).min(size) - 1,
                        None,
                    )
                })
                .collect();
            let (id, urn) = new_asset(&li, Kind::Video, owner, parts.clone());
            let base = li.ctx.base(Platform::LinkedIn);
            let instructions: Vec<_> = parts
                .iter()
                .enumerate()
                .map(|(n, (first, last, _))| json!({"uploadUrl": format!("{base}/dms-uploads/video/{id}/{n}"), "firstByte": first, "lastByte": last}))
                .collect();
            Json(json!({"value": {
                "uploadUrlsExpireAt": li.ctx.clock.now().timestamp_millis() + UPLOAD_URL_TTL_MS,
                "video": urn, "uploadInstructions": instructions, "uploadToken": "",
            }}))
            .into_response()
        }
        Some("finalizeUpload") => finalize(&li, &t.subject, &v),
        _ => bad("action must be initializeUpload or finalizeUpload"),
    }
}

fn finalize(li: &Li, subject: &str, v: &Value) -> Response {
    let req = &v["finalizeUploadRequest"];
    let urn = req["video"].as_str().unwrap_or_default();
    let given: Vec<String> = req["uploadedPartIds"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str().map(|s| s.trim_matches('"').to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let mut all = lock(li);
    let Some(a) = all
        .values_mut()
        .find(|a| a.urn == urn && a.kind == Kind::Video)
    else {
        return li_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &format!("Video {urn} not found"),
            0,
        );
    };
    if li.acting_as(subject, &a.owner).is_none() {
        return li_error(
            StatusCode::FORBIDDEN,
            "ACCESS_DENIED",
            "Not the owner of this video",
            100,
        );
    }
    let expected: Vec<Option<&String>> = a.parts.iter().map(|p| p.2.as_ref()).collect();
    let matches =
        expected.len() == given.len() && expected.iter().zip(&given).all(|(e, g)| *e == Some(g));
    if !matches {
        return bad(
            "uploadedPartIds do not match the uploaded parts (all parts, ETags in instruction order)",
        );
    }
    if a.ready_at.is_none() {
        a.ready_at = Some(li.ctx.clock.now());
        a.fails = li.ctx.faults.take_processing_failure(Platform::LinkedIn);
    }
    StatusCode::OK.into_response()
}

/// `PUT /dms-uploads/image/{id}`: the whole image, streamed.
pub(super) async fn put_image(State(li): St, Path(id): Path<String>, body: Body) -> Response {
    if !lock(&li).get(&id).is_some_and(|a| a.kind == Kind::Image) {
        return li_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Unknown upload URL", 0);
    }
    let mut hash = StreamHash::default();
    let d = drain(body, Some(&mut hash), |_| true).await;
    li.ctx.record.add_chunk(ChunkRecord {
        platform: Platform::LinkedIn,
        upload_id: id.clone(),
        offset: 0,
        len: d.len,
        complete: d.complete,
    });
    if !d.complete || d.len == 0 {
        return bad("The upload arrived incomplete");
    }
    let mut all = lock(&li);
    let Some(a) = all.get_mut(&id) else {
        return li_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Unknown upload URL", 0);
    };
    a.hash = hash;
    a.len = d.len;
    a.ready_at = Some(li.ctx.clock.now());
    StatusCode::CREATED.into_response()
}

/// `PUT /dms-uploads/video/{id}/{part}`: one part, answered with its ETag.
pub(super) async fn put_video_part(
    State(li): St,
    Path((id, part)): Path<(String, usize)>,
    body: Body,
) -> Response {
    let Some((first, last, mut session)) = lock(&li).get(&id).and_then(|a| {
        let (f, l, _) = a.parts.get(part)?;
        let in_sequence = part == a.hashed_parts;
        Some((*f, *l, in_sequence.then(|| a.hash.clone())))
    }) else {
        return li_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Unknown upload URL", 0);
    };
    let base_len = session.as_ref().map(StreamHash::len);
    let d = drain(body, session.as_mut(), |_| true).await;
    let want = last - first + 1;
    let accepted = d.complete && d.len == want;
    li.ctx.record.add_chunk(ChunkRecord {
        platform: Platform::LinkedIn,
        upload_id: id.clone(),
        offset: first,
        len: d.len,
        complete: accepted,
    });
    if !accepted {
        return bad(&format!(
            "Part {part} must be exactly {want} bytes (bytes {first}-{last}); received {}",
            d.len
        ));
    }
    let etag = format!("/ambry-video/{id}/{part}/{}", &d.sha256[..16]);
    let mut all = lock(&li);
    let Some(a) = all.get_mut(&id) else {
        return li_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Unknown upload URL", 0);
    };
    match session {
        Some(h) if Some(a.hash.len()) == base_len && part == a.hashed_parts => {
            a.hash = h;
            a.hashed_parts += 1;
        }
        _ if part > a.hashed_parts => a.in_order = false,
        _ => {}
    }
    if a.parts[part].2.is_none() {
        a.len += d.len;
    }
    a.parts[part].2 = Some(etag.clone());
    let mut resp = StatusCode::OK.into_response();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        resp.headers_mut().insert("etag", v);
    }
    resp
}

fn status_of(li: &Li, headers: &HeaderMap, urn: &str, kind: Kind) -> Response {
    if let Err(r) = rest(li, headers) {
        return r;
    }
    let all = lock(li);
    let Some((id, a)) = all.iter().find(|(_, a)| a.urn == urn && a.kind == kind) else {
        return li_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &format!("{urn} not found"),
            0,
        );
    };
    let status = a.status(li.ctx.clock.now(), li.ctx.config.processing_delay);
    let mut out = json!({"id": a.urn, "status": status, "owner": a.owner});
    if status == "AVAILABLE" {
        out["downloadUrl"] = json!(format!(
            "{}/dms-media/{id}",
            li.ctx.base(Platform::LinkedIn)
        ));
        out["downloadUrlExpiresAt"] =
            json!(li.ctx.clock.now().timestamp_millis() + UPLOAD_URL_TTL_MS);
    }
    Json(out).into_response()
}

/// `GET /rest/images/{urn}`.
pub(super) async fn image_status(
    State(li): St,
    headers: HeaderMap,
    Path(urn): Path<String>,
) -> Response {
    status_of(&li, &headers, &urn, Kind::Image)
}

/// `GET /rest/videos/{urn}`.
pub(super) async fn video_status(
    State(li): St,
    headers: HeaderMap,
    Path(urn): Path<String>,
) -> Response {
    status_of(&li, &headers, &urn, Kind::Video)
}

/// The media record of an AVAILABLE asset owned by `author`, or LinkedIn's 400.
pub(super) fn available(li: &Li, urn: &str, author: &str) -> Result<MediaRecord, Response> {
    let all = lock(li);
    let a = all
        .values()
        .find(|a| a.urn == urn && a.owner == author)
        .ok_or_else(|| {
            bad(&format!(
                "/content: {urn} does not exist or is not owned by {author}"
            ))
        })?;
    if a.status(li.ctx.clock.now(), li.ctx.config.processing_delay) != "AVAILABLE" {
        return Err(bad(&format!("/content: {urn} is not AVAILABLE")));
    }
    Ok(MediaRecord {
        // Approximation: parts uploaded out of order leave no whole-file hash.
        sha256: if a.in_order {
            a.hash.hex()
        } else {
            String::new()
        },
        len: a.len,
        mime: None,
        media_id: urn.to_owned(),
        seen: None,
    })
}
