//! X media upload endpoints: v2 (`/2/media/upload/initialize`,
//! `/{id}/append`, `/{id}/finalize`, `STATUS`, `/2/media/metadata`) and
//! the legacy v1.1 command form (`/1.1/media/upload.json`), both over the
//! sessions of `media.rs`.

use std::collections::HashMap;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};

use super::media::{self, Bad, MEDIA_TTL_SECS};
use super::{St, X, caller, count_media, invalid, json_body, require_scope, set_rate};

/// `POST /2/media/upload/initialize` (JSON).
pub(super) async fn initialize(
    State(x): St,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let user = match caller(&x, &method, &uri, &headers, None) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if let Err(r) = require_scope(&x, &headers, "media.write") {
        return r;
    }
    let rate = match count_media(&x, "POST /2/media/upload/initialize", &user) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let v = match json_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    with_rate(
        rate,
        match media::init_session(
            &x,
            &user,
            v["media_type"].as_str(),
            v["total_bytes"].as_u64(),
            v["media_category"].as_str(),
        ) {
            Ok((id, key)) => Json(
                json!({"data": {"id": id, "media_key": key, "expires_after_secs": MEDIA_TTL_SECS}}),
            )
            .into_response(),
            Err(b) => b.v2(),
        },
    )
}

/// Sets the `x-rate-limit-*` headers of a counted call.
fn with_rate((limit, remaining, reset): (u64, u64, i64), mut resp: Response) -> Response {
    set_rate(resp.headers_mut(), limit, remaining, reset);
    resp
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.to_ascii_lowercase().starts_with("multipart/"))
}

/// `POST /2/media/upload/{id}/append`: multipart (`media` or `media_data`,
/// and `segment_index`) or JSON `{"media":"<base64>","segment_index":0}`.
/// Answers `{"data":{"expires_at":<unix>}}`.
pub(super) async fn append(State(x): St, Path(id): Path<String>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let user = match caller(&x, &parts.method, &parts.uri, &parts.headers, None) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let rate = match count_media(&x, "POST /2/media/upload/{id}/append", &user) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let appended = if is_multipart(&parts.headers) {
        match media::read_multipart(&x, &user, Some(&id), parts, body).await {
            Ok(mut f) => {
                let got = f.media.take();
                media::append_segment(&x, &user, &id, f.get("segment_index"), got)
            }
            Err(b) => Err(b),
        }
    } else {
        append_json(&x, &user, &id, body).await
    };
    with_rate(
        rate,
        match appended {
            Ok(expires_at) => Json(json!({"data": {"expires_at": expires_at}})).into_response(),
            Err(b) => b.v2(),
        },
    )
}

/// The JSON APPEND form: the segment as base64 in `media`.
async fn append_json(x: &X, user: &str, id: &str, body: Body) -> Result<i64, Bad> {
    let max = x.ctx.config.x_max_append_bytes;
    // base64 is 4/3 of the bytes, plus room for the rest of the object.
    let limit = usize::try_from(max / 3 * 4 + 4096).unwrap_or(usize::MAX);
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        Bad(
            "media",
            format!("Segment exceeds the maximum of {max} bytes"),
        )
    })?;
    let v: Value = serde_json::from_slice(&bytes)
        .map_err(|e| Bad("media", format!("Request body is not valid JSON: {e}")))?;
    let text = v["media"]
        .as_str()
        .ok_or_else(|| Bad("media", "The media field is required".to_owned()))?;
    let session = media::session_hash(x, user, id)?;
    let got = media::Received::base64(Some(session), text, max)?;
    let index = match &v["segment_index"] {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    };
    media::append_segment(x, user, id, index.as_deref(), Some(got))
}

/// `POST /2/media/upload/{id}/finalize`.
pub(super) async fn finalize(
    State(x): St,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let user = match caller(&x, &method, &uri, &headers, None) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let rate = match count_media(&x, "POST /2/media/upload/{id}/finalize", &user) {
        Ok(r) => r,
        Err(r) => return r,
    };
    with_rate(
        rate,
        match media::finalize_session(&x, &user, &id) {
            Ok((key, size, info)) => {
                let mut data = json!({"id": id, "media_key": key, "size": size, "expires_after_secs": MEDIA_TTL_SECS});
                if let Some(info) = info {
                    data["processing_info"] = info;
                }
                Json(json!({"data": data})).into_response()
            }
            Err(b) => b.v2(),
        },
    )
}

/// `GET /2/media/upload?command=STATUS&media_id=..`.
pub(super) async fn status(
    State(x): St,
    Query(q): Query<HashMap<String, String>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let user = match caller(&x, &method, &uri, &headers, None) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if q.get("command").map(String::as_str) != Some("STATUS") {
        return invalid("command", "command must be STATUS");
    }
    let id = q.get("media_id").cloned().unwrap_or_default();
    match media::status_session(&x, &user, &id) {
        Ok((key, info)) => {
            Json(json!({"data": {"id": id, "media_key": key, "processing_info": info}}))
                .into_response()
        }
        Err(b) => b.v2(),
    }
}

/// `POST /2/media/metadata` (alt text).
pub(super) async fn metadata(
    State(x): St,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let user = match caller(&x, &method, &uri, &headers, None) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let v = match json_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let id = v["id"].as_str().unwrap_or_default().to_owned();
    let Some(text) = v["metadata"]["alt_text"]["text"].as_str() else {
        return invalid("metadata.alt_text.text", "alt_text.text is required");
    };
    match media::set_alt_text(&x, &user, &id, text) {
        Ok(()) => {
            Json(json!({"data": {"id": id, "associated_metadata": {"alt_text": {"text": text}}}}))
                .into_response()
        }
        Err(b) => b.v2(),
    }
}

// ---------- v1.1 command form ----------

/// The v1.1 upload endpoints' error body.
fn v1_bad(b: &Bad) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"request": "/1.1/media/upload.json", "error": b.1})),
    )
        .into_response()
}

fn v1_ids(id: &str) -> Value {
    json!({"media_id": id.parse::<u64>().unwrap_or(0), "media_id_string": id})
}

/// `GET /1.1/media/upload.json?command=STATUS&media_id=..`.
pub(super) async fn v1_status(
    State(x): St,
    Query(q): Query<HashMap<String, String>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let user = match caller(&x, &method, &uri, &headers, None) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let id = q.get("media_id").cloned().unwrap_or_default();
    match media::status_session(&x, &user, &id) {
        Ok((key, info)) => {
            let mut v = v1_ids(&id);
            v["media_key"] = json!(key);
            v["processing_info"] = info;
            Json(v).into_response()
        }
        Err(b) => v1_bad(&b),
    }
}

/// v1.1 INIT with `fields` (form or multipart).
fn v1_init(x: &X, user: &str, f: &HashMap<String, String>) -> Response {
    match media::init_session(
        x,
        user,
        f.get("media_type").map(String::as_str),
        f.get("total_bytes").and_then(|t| t.parse().ok()),
        f.get("media_category").map(String::as_str),
    ) {
        Ok((id, key)) => {
            let mut v = v1_ids(&id);
            v["media_key"] = json!(key);
            v["expires_after_secs"] = json!(MEDIA_TTL_SECS);
            (StatusCode::ACCEPTED, Json(v)).into_response()
        }
        Err(b) => v1_bad(&b),
    }
}

/// The v1.1 FINALIZE answer for `id`.
fn v1_finalized(x: &X, user: &str, id: &str) -> Result<Value, Bad> {
    let (key, size, info) = media::finalize_session(x, user, id)?;
    let mut v = v1_ids(id);
    v["media_key"] = json!(key);
    v["size"] = json!(size);
    v["expires_after_secs"] = json!(MEDIA_TTL_SECS);
    if let Some(info) = info {
        v["processing_info"] = info;
    }
    Ok(v)
}

/// v1.1 FINALIZE of `id` (form or multipart).
fn v1_finalize(x: &X, user: &str, id: &str) -> Response {
    match v1_finalized(x, user, id) {
        Ok(v) => Json(v).into_response(),
        Err(b) => v1_bad(&b),
    }
}

/// `POST /1.1/media/upload.json` as multipart (not signed): any command
/// (`INIT`, `APPEND`, `FINALIZE`; APPEND when only `media_id` says so), or
/// a simple upload (only `media` / `media_data`, no command).
async fn v1_multipart(x: &X, parts: Parts, body: Body) -> Response {
    let user = match caller(x, &parts.method, &parts.uri, &parts.headers, None) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let mut f = match media::read_multipart(x, &user, None, parts, body).await {
        Ok(f) => f,
        Err(b) => return v1_bad(&b),
    };
    let id = f.get("media_id").unwrap_or_default().to_owned();
    match (f.get("command"), f.fields.contains_key("media_id")) {
        (Some("INIT"), _) => v1_init(x, &user, &f.fields),
        (Some("FINALIZE"), _) => v1_finalize(x, &user, &id),
        (Some("APPEND"), _) | (None, true) => {
            let got = f.media.take();
            match media::append_segment(x, &user, &id, f.get("segment_index"), got) {
                Ok(_) => StatusCode::NO_CONTENT.into_response(),
                Err(b) => v1_bad(&b),
            }
        }
        (None, false) => {
            let category = f.get("media_category").map(str::to_owned);
            let uploaded = media::simple_upload(x, &user, category.as_deref(), f.media.take())
                .and_then(|(id, mime)| Ok((v1_finalized(x, &user, &id)?, mime)));
            match uploaded {
                Ok((mut v, mime)) => {
                    // The emulator does not measure images: no w/h.
                    v["image"] = json!({"image_type": mime});
                    Json(v).into_response()
                }
                Err(b) => v1_bad(&b),
            }
        }
        (Some(_), _) => v1_bad(&Bad(
            "command",
            "command must be INIT, APPEND or FINALIZE".to_owned(),
        )),
    }
}

/// `POST /1.1/media/upload.json`: `command=INIT|APPEND|FINALIZE` as an
/// urlencoded form (signed under OAuth 1.0a) or multipart (not signed;
/// also the simple upload).
pub(super) async fn v1_command(State(x): St, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    if is_multipart(&parts.headers) {
        return v1_multipart(&x, parts, body).await;
    }
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return v1_bad(&Bad("command", "Unreadable form body".to_owned()));
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let user = match caller(&x, &parts.method, &parts.uri, &parts.headers, Some(&text)) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let mut f = crate::common::form(parts.uri.query().unwrap_or(""));
    f.extend(crate::common::form(&text));
    let id = f.get("media_id").cloned().unwrap_or_default();
    match f.get("command").map(String::as_str) {
        Some("INIT") => v1_init(&x, &user, &f),
        Some("FINALIZE") => v1_finalize(&x, &user, &id),
        _ => v1_bad(&Bad(
            "command",
            "command must be INIT or FINALIZE (form) or APPEND (multipart)".to_owned(),
        )),
    }
}
