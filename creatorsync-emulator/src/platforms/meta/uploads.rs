//! Meta's Resumable Upload API (the documented way to upload a Page video
//! since the video host was deprecated): `POST /{app-id}/uploads` opens a
//! session for a user token, `POST /upload:<id>` with `file_offset` takes
//! raw bytes and answers the file handle `h` once the file is whole,
//! `GET /upload:<id>` answers where the session stands. The handle is then
//! published with `POST /{page}/videos` `fbuploader_video_file_chunk`
//! ([`super::pages`]).
//!
//! Source: developers.facebook.com/docs/graph-api/guides/upload and
//! developers.facebook.com/documentation/video-api/guides/publishing
//! (read 2026-12). The bytes that arrive before a body is cut are kept, so
//! `file_offset` is what the server really holds.

use axum::extract::Request;
use axum::http::Method;
use axum::response::Response;
use base64::Engine;
use creatorsync_core::Platform;
use serde_json::json;

use super::{M, Req, TokKind, bad_param, graph_error, ok, unsupported};
use crate::body::StreamHash;
use crate::record::{ChunkRecord, MediaRecord};

/// File types the Resumable Upload API takes.
const FILE_TYPES: &[&str] = &[
    "application/pdf",
    "image/jpeg",
    "image/jpg",
    "image/png",
    "video/mp4",
];

/// One upload session.
#[derive(Clone, Debug)]
pub(crate) struct FileUpload {
    /// The user whose token opened it.
    pub user: String,
    pub file_type: String,
    pub length: u64,
    pub received: u64,
    pub hash: StreamHash,
    /// The file handle, once every byte arrived.
    pub handle: Option<String>,
}

impl FileUpload {
    /// The uploaded file, for a post record.
    pub(crate) fn media(&self) -> MediaRecord {
        MediaRecord {
            sha256: self.hash.hex(),
            len: self.received,
            mime: Some(self.file_type.clone()),
            media_id: String::new(),
            seen: None,
        }
    }
}

fn user_token(kind: &TokKind) -> Result<&str, Response> {
    match kind {
        TokKind::User { user, .. } => Ok(user),
        TokKind::Page { .. } => Err(graph_error(
            400,
            100,
            None,
            "OAuthException",
            "(#100) The Resumable Upload API requires a User access token",
        )),
    }
}

/// `POST /{app-id}/uploads?file_name&file_length&file_type`.
pub(crate) fn start(m: &M, kind: &TokKind, app: &str, r: &Req) -> Response {
    let user = match user_token(kind) {
        Ok(u) => u.to_owned(),
        Err(e) => return e,
    };
    if app != m.ctx.config.app(Platform::Facebook).client_id {
        return unsupported(&Method::POST, app);
    }
    if r.get("file_name").is_empty() {
        return bad_param("file_name is required");
    }
    let Some(length) = r.get("file_length").parse::<u64>().ok().filter(|n| *n > 0) else {
        return bad_param("file_length must be a positive integer");
    };
    let file_type = r.get("file_type").to_ascii_lowercase();
    if !FILE_TYPES.contains(&file_type.as_str()) {
        return bad_param(&format!("Invalid file_type: {file_type}"));
    }
    let mut g = m.lock();
    let id = g.id(900_000_000_000_000);
    g.uploads.insert(
        id.clone(),
        FileUpload {
            user,
            file_type,
            length,
            received: 0,
            hash: StreamHash::default(),
            handle: None,
        },
    );
    ok(json!({ "id": format!("upload:{id}") }))
}

/// `POST /upload:<id>` (raw bytes from `file_offset`) and `GET /upload:<id>`.
/// The token comes in `Authorization: OAuth <user token>` (or
/// `access_token`); a proof, when given, must match.
pub(crate) async fn transfer(m: M, req: Request, session: &str) -> Response {
    let id = session.trim_start_matches("upload:").to_owned();
    let q = crate::common::form(req.uri().query().unwrap_or(""));
    let headers = req.headers().clone();
    let Some(token) = crate::common::bearer(&headers).or_else(|| q.get("access_token").cloned())
    else {
        return graph_error(
            400,
            104,
            None,
            "OAuthException",
            "An access token is required to request this resource.",
        );
    };
    if let Err(e) = super::request::check_proof(&m, &token, q.get("appsecret_proof"), false) {
        return e;
    }
    let kind = match super::request::check(&m, &token) {
        Ok(k) => k,
        Err(e) => return e,
    };
    let user = match user_token(&kind) {
        Ok(u) => u.to_owned(),
        Err(e) => return e,
    };
    let Some(up) = m
        .lock()
        .uploads
        .get(&id)
        .cloned()
        .filter(|u| u.user == user)
    else {
        return unsupported(req.method(), session);
    };
    if req.method() == Method::GET {
        return ok(json!({ "id": session, "file_offset": up.received }));
    }
    if req.method() != Method::POST {
        return unsupported(req.method(), session);
    }
    let offset = headers
        .get("file_offset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let (Some(h), Some(at)) = (&up.handle, offset)
        && at == up.length
    {
        // Every byte is there (the answer with the handle was lost): an
        // empty send at the end answers the handle again.
        let d = crate::body::drain(req.into_body(), None, |_| true).await;
        if d.len == 0 {
            return ok(json!({ "h": h }));
        }
        return bad_param("The upload is already complete");
    }
    if offset != Some(up.received) || up.handle.is_some() {
        crate::body::drain(req.into_body(), None, |_| true).await;
        // UNCONFIRMED shape: the guide documents resuming from the GET's
        // file_offset, not the error a wrong offset gets.
        return graph_error(
            400,
            100,
            Some(1_363_037),
            "OAuthException",
            &format!(
                "(#100) file_offset must be the bytes already received ({})",
                up.received
            ),
        );
    }
    let mut hash = up.hash.clone();
    let room = up.length - up.received;
    let d = crate::body::drain(req.into_body(), Some(&mut hash), |n| n <= room).await;
    m.ctx.record.add_chunk(ChunkRecord {
        platform: Platform::Facebook,
        upload_id: session.to_owned(),
        offset: up.received,
        len: d.len,
        complete: d.complete,
    });
    if d.len > room {
        return bad_param("More bytes than file_length");
    }
    let mut g = m.lock();
    let Some(u) = g.uploads.get_mut(&id) else {
        return unsupported(&Method::POST, session);
    };
    // What arrived is kept, even from a cut body: the next request resumes
    // from the new file_offset.
    u.received += d.len;
    u.hash = hash;
    if !d.complete {
        return graph_error(500, 2, None, "OAuthException", "Upload interrupted");
    }
    if u.received < u.length {
        return ok(json!({ "id": session, "file_offset": u.received }));
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let handle = format!(
        "4:{}:{}:{}",
        b64.encode(&id),
        b64.encode(&u.file_type),
        crate::tokens::random_token("", 12)
    );
    u.handle = Some(handle.clone());
    ok(json!({ "h": handle }))
}

/// The complete upload behind `handle`, if `user` made it.
pub(crate) fn by_handle(m: &M, handle: &str, user: &str) -> Option<FileUpload> {
    m.lock()
        .uploads
        .values()
        .find(|u| u.handle.as_deref() == Some(handle) && u.user == user)
        .cloned()
}
