//! LinkedIn's OAuth 2.0 (3-legged, no PKCE): its token answers lack
//! `token_type` (which the `oauth2` crate requires) and list scopes with
//! commas, so the token calls are small explicit requests.

use url::Url;

use super::LinkedIn;
use crate::Result;
use crate::auth::oauth2::{TokenGrant, TokenMethod, token_request};
use crate::http::{Host, Idempotency};
use crate::platforms::OAuthApp;

pub(super) fn authorize_url(
    app: &OAuthApp<'_>,
    scopes: &[&str],
    redirect_uri: &str,
    state: &str,
) -> Result<Url> {
    let mut u = app.url(Host::Auth, "/oauth/v2/authorization");
    u.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &app.app()?.client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", state)
        .append_pair("scope", &scopes.join(" "));
    Ok(u)
}

pub(super) async fn exchange_code(
    app: &OAuthApp<'_>,
    code: &str,
    redirect_uri: &str,
) -> Result<TokenGrant> {
    token_request(
        app.http,
        &LinkedIn,
        "token_exchange",
        TokenMethod::PostForm,
        app.url(Host::Token, "/oauth/v2/accessToken"),
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", &app.app()?.client_id),
            ("client_secret", app.secret()?),
        ],
    )
    .await
}

pub(super) async fn refresh(app: &OAuthApp<'_>, refresh_token: &str) -> Result<TokenGrant> {
    token_request(
        app.http,
        &LinkedIn,
        "token_refresh",
        TokenMethod::PostForm,
        app.url(Host::Token, "/oauth/v2/accessToken"),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", &app.app()?.client_id),
            ("client_secret", app.secret()?),
        ],
    )
    .await
}

pub(super) async fn revoke(app: &OAuthApp<'_>, token: &str) -> Result<()> {
    let url = app.url(Host::Token, "/oauth/v2/revoke");
    let form = [
        ("client_id", app.app()?.client_id.as_str()),
        ("client_secret", app.secret()?),
        ("token", token),
    ];
    app.http
        .send(&LinkedIn, "token_revoke", Idempotency::Idempotent, |c| {
            c.post(url.clone()).form(&form)
        })
        .await
        .map(drop)
}
