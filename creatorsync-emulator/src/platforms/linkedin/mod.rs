//! Emulated LinkedIn API (shared/platforms.md §2, contract.md): 3-legged
//! OAuth with fixed-from-grant refresh tokens, versioned `/rest/*` with
//! `LinkedIn-Version` checks, image and multi-part video uploads with
//! their status machines, posts for members and administered orgs.

#![allow(clippy::result_large_err)] // handlers pass ready-made axum responses up as errors

mod analytics;
mod assets;
mod comments;
mod content;
pub mod little;
mod manage;
mod oauth;
mod posts;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use creatorsync_core::Platform;
use serde_json::json;

use crate::Ctx;
use crate::config::Identity;
use crate::tokens::TokenInfo;

/// LinkedIn state (OAuth tokens live in the shared registry).
#[derive(Debug)]
pub(crate) struct Li {
    ctx: Ctx,
    assets: Mutex<HashMap<String, assets::Asset>>,
    next_id: AtomicU64,
    /// Posts created per (member, UTC day).
    daily: Mutex<HashMap<(String, chrono::NaiveDate), u64>>,
}

type St = State<Arc<Li>>;

impl Li {
    /// A fresh 19-digit activity id.
    fn id(&self) -> u64 {
        7_287_840_497_870_462_977 + self.next_id.fetch_add(1, Ordering::SeqCst)
    }

    /// The member behind a person id (seeded identity or a synthetic one
    /// administering no organization).
    fn member(&self, id: &str) -> Identity {
        match self.ctx.config.identity(Platform::LinkedIn) {
            Some(i) if i.id == id => i.clone(),
            _ => Identity {
                id: id.to_owned(),
                username: id.to_owned(),
                name: format!("Member {id}"),
                organizations: Vec::new(),
                pages: Vec::new(),
            },
        }
    }

    /// Checks that `token` may write as `author` (a person needs
    /// `w_member_social`, an organization `w_organization_social`) and
    /// returns the account id (person id or org id), or LinkedIn's 403.
    fn writer(&self, token: &TokenInfo, author: &str) -> Result<String, Response> {
        let scope = if author.starts_with("urn:li:organization:") {
            "w_organization_social"
        } else {
            "w_member_social"
        };
        let denied = |why: String| li_error(StatusCode::FORBIDDEN, "ACCESS_DENIED", &why, 100);
        let account = self
            .acting_as(&token.subject, author)
            .ok_or_else(|| denied(format!("Not enough permissions to act as {author}")))?;
        if !token.scopes.iter().any(|s| s == scope) {
            return Err(denied(format!(
                "Not enough permissions: the token lacks {scope}"
            )));
        }
        Ok(account)
    }

    /// The account id (person id or org id) `subject` may act as for
    /// `author` (an author URN), or None.
    fn acting_as(&self, subject: &str, author: &str) -> Option<String> {
        if author.strip_prefix("urn:li:person:") == Some(subject) {
            return Some(subject.to_owned());
        }
        let org: u64 = author.strip_prefix("urn:li:organization:")?.parse().ok()?;
        self.member(subject)
            .organizations
            .iter()
            .any(|(id, _)| *id == org)
            .then(|| org.to_string())
    }
}

/// LinkedIn's API error body.
fn li_error(status: StatusCode, code: &str, message: &str, service_code: u32) -> Response {
    (
        status,
        Json(json!({"status": status.as_u16(), "serviceErrorCode": service_code, "code": code, "message": message})),
    )
        .into_response()
}

/// Checks a `/rest/*` request: `LinkedIn-Version` (present and active on
/// the emulator clock, or in the configured set),
/// `X-Restli-Protocol-Version: 2.0.0` and the bearer token.
fn rest(li: &Li, headers: &HeaderMap) -> Result<TokenInfo, Response> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let Some(version) = header("linkedin-version") else {
        return Err(li_error(
            StatusCode::BAD_REQUEST,
            "VERSION_MISSING",
            "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
            0,
        ));
    };
    let active = match &li.ctx.config.linkedin_versions {
        Some(pinned) => pinned.contains(version),
        None => crate::calendar::linkedin_active(version, li.ctx.clock.now().date_naive()),
    };
    if !active {
        return Err((
            StatusCode::UPGRADE_REQUIRED,
            Json(json!({"status": 426, "code": "NONEXISTENT_VERSION", "message": format!("Requested version {version} is not active")})),
        )
            .into_response());
    }
    if header("x-restli-protocol-version") != Some("2.0.0") {
        return Err(li_error(
            StatusCode::BAD_REQUEST,
            "ILLEGAL_ARGUMENT",
            "X-Restli-Protocol-Version: 2.0.0 is required",
            100,
        ));
    }
    crate::common::check_bearer(&li.ctx, Platform::LinkedIn, headers)
}

/// The LinkedIn router.
pub(crate) fn router(ctx: Ctx) -> Router {
    let li = Arc::new(Li {
        ctx,
        assets: Mutex::default(),
        next_id: AtomicU64::new(0),
        daily: Mutex::default(),
    });
    Router::new()
        .route("/oauth/v2/authorization", get(oauth::authorize))
        .route("/oauth/v2/accessToken", post(oauth::token))
        .route("/oauth/v2/revoke", post(oauth::revoke))
        .route("/oauth/v2/introspectToken", post(oauth::introspect))
        .route("/v2/userinfo", get(userinfo))
        .route("/rest/organizationAcls", get(organization_acls))
        .route("/rest/organizations/{id}", get(organization))
        .route("/rest/images", post(assets::images_action))
        .route("/rest/images/{urn}", get(assets::image_status))
        .route("/rest/videos", post(assets::videos_action))
        .route("/rest/videos/{urn}", get(assets::video_status))
        .route("/dms-uploads/image/{id}", put(assets::put_image))
        .route(
            "/dms-uploads/video/{id}/{part}",
            put(assets::put_video_part),
        )
        .route(
            "/rest/memberCreatorPostAnalytics",
            get(analytics::member_post),
        )
        .route(
            "/rest/organizationalEntityShareStatistics",
            get(analytics::organization_shares),
        )
        .route("/rest/posts", post(posts::create).get(posts::by_author))
        .route(
            "/rest/posts/{urn}",
            get(posts::get).delete(posts::remove).post(manage::update),
        )
        .route(
            "/rest/socialActions/{urn}/comments",
            post(comments::create).get(comments::list),
        )
        .with_state(li)
        .fallback_service(super::not_found(Platform::LinkedIn))
}

/// `GET /v2/userinfo` (OpenID Connect).
async fn userinfo(State(li): St, headers: HeaderMap) -> Response {
    let t = match crate::common::check_bearer(&li.ctx, Platform::LinkedIn, &headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let m = li.member(&t.subject);
    let (given, family) = m.name.split_once(' ').unwrap_or((&m.name, ""));
    Json(json!({
        "sub": m.id, "name": m.name, "given_name": given, "family_name": family,
        "picture": format!("https://media.licdn.com/dms/image/{}/profile.jpg", m.id),
        "email": format!("{}@example.com", m.id), "email_verified": true,
        "locale": {"country": "US", "language": "en"}
    }))
    .into_response()
}

/// `GET /rest/organizationAcls?q=roleAssignee...`.
async fn organization_acls(
    State(li): St,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = match rest(&li, &headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    if q.get("q").map(String::as_str) != Some("roleAssignee") {
        return li_error(
            StatusCode::BAD_REQUEST,
            "ILLEGAL_ARGUMENT",
            "q=roleAssignee is required",
            100,
        );
    }
    let elements: Vec<_> = li
        .member(&t.subject)
        .organizations
        .iter()
        .map(|(id, _)| {
            json!({
            "organization": format!("urn:li:organization:{id}"), "role": "ADMINISTRATOR",
            "state": "APPROVED", "roleAssignee": format!("urn:li:person:{}", t.subject)})
        })
        .collect();
    let total = elements.len();
    Json(json!({"elements": elements, "paging": {"start": 0, "count": 10, "total": total}}))
        .into_response()
}

/// `GET /rest/organizations/{id}`.
async fn organization(State(li): St, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let t = match rest(&li, &headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let found = li
        .member(&t.subject)
        .organizations
        .into_iter()
        .chain(
            li.ctx
                .config
                .identity(Platform::LinkedIn)
                .map(|i| i.organizations.clone())
                .unwrap_or_default(),
        )
        .find(|(n, _)| n.to_string() == id);
    match found {
        Some((n, name)) => Json(json!({
            "id": n, "localizedName": name,
            "vanityName": name.to_ascii_lowercase().replace(' ', "-")}))
        .into_response(),
        None => li_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &format!("Organization {id} not found"),
            0,
        ),
    }
}
