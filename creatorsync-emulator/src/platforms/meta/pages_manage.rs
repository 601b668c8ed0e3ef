//! Editing a Page post: `POST /{post-id}` with `message` → `{"success":
//! true}`; a post that does not exist (or was deleted) gets Meta's
//! "Unsupported post request" (code 100, subcode 33). Needs a token of
//! the Page (developers.facebook.com/docs/graph-api/reference/post,
//! "Updating", read 2026-12-04).

use axum::http::Method;
use axum::response::Response;
use creatorsync_core::Platform;
use serde_json::json;

use super::request::Req;
use super::{M, TokKind, bad_param, may_act, no_permission, ok, unsupported};

/// `POST /{post-id}`.
pub(crate) fn update(m: &M, kind: &TokKind, id: &str, r: &Req) -> Response {
    let Some(message) = r.params.get("message").cloned() else {
        return bad_param("(#100) The parameter message is required");
    };
    {
        let mut g = m.lock();
        let Some(p) = g.posts.get_mut(id).filter(|p| !p.deleted) else {
            return unsupported(&Method::POST, id);
        };
        if !may_act(m, kind, &p.page.clone(), false) {
            return no_permission("Updating a Page post requires that Page's access token");
        }
        p.message.clone_from(&message);
    }
    m.ctx.record.edit_post(Platform::Facebook, id, &message);
    ok(json!({"success": true}))
}
