//! X media upload endpoints: v2 (`/2/media/upload/initialize`,
//! `/{id}/append`, `/{id}/finalize`, `STATUS`, `/2/media/metadata`) and
//! the legacy v1.1 command form (`/1.1/media/upload.json`), both over the
//! sessions of `media.rs`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};

use super::media::{self, Bad, MEDIA_TTL_SECS};
use super::{St, caller, invalid, json_body, require_scope};

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
    let v = match json_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
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
    }
}

/// `POST /2/media/upload/{id}/append` (multipart `media` + `segment_index`).
pub(super) async fn append(State(x): St, Path(id): Path<String>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let user = match caller(&x, &parts.method, &parts.uri, &parts.headers, None) {
        Ok(u) => u,
        Err(r) => return r,
    };
    match media::append_multipart(&x, &user, Some(id), parts, body).await {
        Ok(_) => StatusCode::OK.into_response(),
        Err(b) => b.v2(),
    }
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
    match media::finalize_session(&x, &user, &id) {
        Ok((key, size, info)) => {
            let mut data = json!({"id": id, "media_key": key, "size": size, "expires_after_secs": MEDIA_TTL_SECS});
            if let Some(info) = info {
                data["processing_info"] = info;
            }
            Json(json!({"data": data})).into_response()
        }
        Err(b) => b.v2(),
    }
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

/// `POST /1.1/media/upload.json`: `command=INIT|APPEND|FINALIZE` as an
/// urlencoded form (signed under OAuth 1.0a) or multipart (not signed).
pub(super) async fn v1_command(State(x): St, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let multipart = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("multipart/"));
    if multipart {
        let user = match caller(&x, &parts.method, &parts.uri, &parts.headers, None) {
            Ok(u) => u,
            Err(r) => return r,
        };
        // Multipart is the APPEND form (fields command, media_id,
        // segment_index, media); INIT/FINALIZE use the urlencoded form.
        return match media::append_multipart(&x, &user, None, parts, body).await {
            Ok(_) => StatusCode::NO_CONTENT.into_response(),
            Err(b) => v1_bad(&b),
        };
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
        Some("INIT") => match media::init_session(
            &x,
            &user,
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
        },
        Some("FINALIZE") => match media::finalize_session(&x, &user, &id) {
            Ok((key, size, info)) => {
                let mut v = v1_ids(&id);
                v["media_key"] = json!(key);
                v["size"] = json!(size);
                v["expires_after_secs"] = json!(MEDIA_TTL_SECS);
                if let Some(info) = info {
                    v["processing_info"] = info;
                }
                Json(v).into_response()
            }
            Err(b) => v1_bad(&b),
        },
        _ => v1_bad(&Bad(
            "command",
            "command must be INIT or FINALIZE (form) or APPEND (multipart)".to_owned(),
        )),
    }
}
