//! LinkedIn post lifecycle: the `lifecycleState` a create may carry
//! (`PUBLISHED` only: the Posts API has no draft on create) and the partial
//! update of a post's commentary (`POST /rest/posts/{urn}` with
//! `X-RestLi-Method: PARTIAL_UPDATE`, `{"patch":{"$set":{...}}}` → 204).
//! Source: learn.microsoft.com linkedin/marketing/community-management/
//! shares/posts-api, read 2026-12-04.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use creatorsync_core::Platform;
use serde_json::Value;

use super::posts::{MAX_COMMENTARY, bad, live, not_found};
use super::{St, li_error, rest};

/// The fields a partial update may `$set`.
const UPDATABLE: [&str; 4] = [
    "commentary",
    "contentCallToActionLabel",
    "contentLandingPage",
    "lifecycleStateInfo",
];

/// Refuses a create whose `lifecycleState` is not `PUBLISHED` ("PUBLISHED
/// is the only accepted field during creation").
pub(super) fn check_create(v: &Value) -> Result<(), Response> {
    match v.get("lifecycleState").and_then(Value::as_str) {
        None | Some("PUBLISHED") => Ok(()),
        Some(other) => Err(li_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "UNPROCESSABLE_ENTITY",
            &format!(
                "/lifecycleState: {other} is not accepted; PUBLISHED is the only accepted value during creation"
            ),
            100,
        )),
    }
}

/// `POST /rest/posts/{urn}` (`X-RestLi-Method: PARTIAL_UPDATE`) → 204.
pub(super) async fn update(
    State(li): St,
    headers: HeaderMap,
    Path(urn): Path<String>,
    body: Bytes,
) -> Response {
    let t = match rest(&li, &headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let method = headers
        .get("x-restli-method")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !method.eq_ignore_ascii_case("PARTIAL_UPDATE") {
        return bad("POST /rest/posts/{urn} needs X-RestLi-Method: PARTIAL_UPDATE");
    }
    let v: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad(&format!("Invalid JSON body: {e}")),
    };
    let Some(set) = v.pointer("/patch/$set").and_then(Value::as_object) else {
        return bad("/patch/$set: required");
    };
    if let Some(k) = set.keys().find(|k| !UPDATABLE.contains(&k.as_str())) {
        return li_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "UNPROCESSABLE_ENTITY",
            &format!("/patch/$set/{k}: this field cannot be updated"),
            100,
        );
    }
    let Some(p) = live(&li, &urn) else {
        return not_found(&urn);
    };
    let author = p.extra.get("author").cloned().unwrap_or_default();
    if li.acting_as(&t.subject, &author).is_none() {
        return li_error(
            StatusCode::FORBIDDEN,
            "ACCESS_DENIED",
            "Not enough permissions to update this post",
            100,
        );
    }
    if let Some(text) = set.get("commentary") {
        let Some(text) = text.as_str() else {
            return bad("/patch/$set/commentary: must be a string");
        };
        if text.chars().count() > MAX_COMMENTARY {
            return bad("/commentary: exceeds 3000 characters");
        }
        li.ctx.record.edit_post(Platform::LinkedIn, &urn, text);
    }
    StatusCode::NO_CONTENT.into_response()
}
