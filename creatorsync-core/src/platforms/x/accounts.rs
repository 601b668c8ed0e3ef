//! Who an X grant belongs to: `GET /2/users/me`, with a bearer token or
//! signed with OAuth 1.0a.

use std::collections::BTreeMap;

use serde_json::Value;

use super::X;
use super::oauth1::{XAccess, XOAuth1};
use crate::auth::accounts::{bearer_json, s, unexpected};
use crate::http::Host;
use crate::platforms::{OAuthApp, account_row};
use crate::{Credential, Platform, Profile, Result, StoredToken};

fn profile(v: &Value) -> Profile {
    Profile {
        platform_user_id: s(v, "/data/id").unwrap_or_default(),
        handle: s(v, "/data/username"),
        display_name: s(v, "/data/name"),
        kind: Some("user".into()),
    }
}

/// The profile behind an OAuth 2.0 access token.
pub(super) async fn bearer_profile(app: &OAuthApp<'_>, token: &str) -> Result<Profile> {
    let url = app.url(Host::Api, "/2/users/me");
    let v = bearer_json(app.http, &X, "users_me", url, token, &[]).await?;
    let p = profile(&v);
    if p.platform_user_id.is_empty() {
        return Err(unexpected(Platform::X, "data.id"));
    }
    Ok(p)
}

/// The profile behind OAuth 1.0a user credentials.
pub(super) async fn signed_profile(
    app: &OAuthApp<'_>,
    token: &str,
    secret: &str,
) -> Result<Profile> {
    let url = app.url(Host::Api, "/2/users/me");
    let v = XOAuth1::new(app)?
        .signed_get_json(token, secret, url)
        .await?;
    Ok(profile(&v))
}

/// The X account of an OAuth 1.0a grant.
pub(super) async fn oauth1_account(
    app: &OAuthApp<'_>,
    user_id: &str,
    access: XAccess,
) -> Result<Vec<StoredToken>> {
    let mut profile = signed_profile(app, access.token.expose(), access.secret.expose()).await?;
    if profile.platform_user_id.is_empty() {
        profile.platform_user_id = access.user_id.clone();
    }
    if profile.handle.is_none() {
        profile.handle = access.screen_name.clone();
    }
    let cred = Credential::OAuth1 {
        token: access.token,
        secret: access.secret,
    };
    Ok(vec![account_row(
        user_id,
        Platform::X,
        profile,
        cred,
        BTreeMap::new(),
    )?])
}
