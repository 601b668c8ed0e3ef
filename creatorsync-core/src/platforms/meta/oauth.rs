//! Meta's OAuth (Facebook Login, for Pages and for Instagram): the dialog
//! on www.facebook.com, the code exchanged with a GET, then traded for a
//! long-lived user token (`grant_type=fb_exchange_token`). There is no
//! refresh token: a Page token from a long-lived user token does not
//! expire, and a dead one needs the user again.

use url::Url;

use super::Graph;
use super::version::GRAPH_VERSION;
use crate::auth::oauth2::{TokenGrant, TokenMethod, token_request};
use crate::http::{ErrorShape, Host, Idempotency};
use crate::platforms::OAuthApp;
use crate::{Error, Result, StoredToken};

fn graph_path(app: &OAuthApp<'_>, path: &str) -> String {
    format!("/{}{path}", app.api_version.unwrap_or(GRAPH_VERSION))
}

pub(crate) fn authorize_url(
    app: &OAuthApp<'_>,
    scopes: &[&str],
    redirect_uri: &str,
    state: &str,
) -> Result<Url> {
    let mut u = app.url(Host::Auth, &graph_path(app, "/dialog/oauth"));
    u.query_pairs_mut()
        .append_pair("client_id", &app.app()?.client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", state)
        .append_pair("response_type", "code")
        .append_pair("scope", &scopes.join(","));
    Ok(u)
}

/// The code, exchanged for a short-lived token and that for a long-lived
/// one.
pub(crate) async fn exchange_code(
    shape: &dyn ErrorShape,
    app: &OAuthApp<'_>,
    code: &str,
    redirect_uri: &str,
) -> Result<TokenGrant> {
    let secret = app.secret()?;
    let client_id = app.app()?.client_id.as_str();
    let url = app.url(Host::Token, &graph_path(app, "/oauth/access_token"));
    let short = token_request(
        app.http,
        shape,
        "token_exchange",
        TokenMethod::Get,
        url.clone(),
        &[
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("client_secret", secret),
            ("code", code),
        ],
    )
    .await?;
    token_request(
        app.http,
        shape,
        "long_lived_exchange",
        TokenMethod::Get,
        url,
        &[
            ("grant_type", "fb_exchange_token"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("fb_exchange_token", short.access.expose()),
        ],
    )
    .await
}

/// Meta has no refresh: the user must reconnect.
pub(crate) fn refresh(shape: &dyn ErrorShape) -> Error {
    Error::ReauthRequired {
        platform: shape.platform(),
        account: None,
        reason: "Meta tokens cannot be refreshed".into(),
    }
}

/// `DELETE /{facebook user}/permissions`: ends the app's grant. Nothing to
/// do when the row does not record the Facebook user.
pub(crate) async fn revoke(
    shape: &dyn ErrorShape,
    app: &OAuthApp<'_>,
    row: &StoredToken,
) -> Result<()> {
    let Some(user) = row.metadata.get("facebook_user_id") else {
        tracing::debug!(platform = %shape.platform(), "no facebook_user_id recorded; nothing to revoke");
        return Ok(());
    };
    let token = crate::platforms::common::access_token(shape.platform(), row)?;
    let graph = Graph::for_app(app, shape, token)?;
    let url = graph.signed_url(Host::Api, &format!("/{user}/permissions"));
    graph
        .send(
            "token_revoke",
            Idempotency::Idempotent,
            reqwest::Method::DELETE,
            url,
            |rb| rb,
        )
        .await
        .map(drop)
}
