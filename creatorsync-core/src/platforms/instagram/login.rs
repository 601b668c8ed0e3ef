//! [`InstagramLogin`]: Instagram's second connection mode, "Instagram API
//! with Instagram Login" (no Facebook Page needed), registered beside
//! [`Instagram`](super::Instagram) (Facebook Login, the default) and chosen
//! with `Apps::with_instagram_login`. Facts from Meta's Instagram Platform
//! docs, read 2026-12 (see `docs/platforms.md`):
//!
//! * authorize on `www.instagram.com/oauth/authorize` with the Instagram
//!   app id; scopes `instagram_business_basic`,
//!   `instagram_business_content_publish` (Business Login, 2025);
//! * the code for a short-lived token (1 h) with a form `POST` to
//!   `api.instagram.com/oauth/access_token`, answered as
//!   `{"data": [{"access_token", "user_id", "permissions"}]}` (older
//!   answers are flat);
//! * that for a long-lived token (60 days) with
//!   `GET graph.instagram.com/access_token?grant_type=ig_exchange_token`;
//! * refreshed with
//!   `GET graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token`
//!   (a token at least 24 h old and unexpired; a new 60-day one). There is
//!   no refresh token: the long-lived token refreshes itself, so the row
//!   stores it as its own refresh token and the token manager's usual path
//!   renews it;
//! * one account per login, read from `GET /me` (`user_id`, `username`);
//! * publishing through the same containers on `graph.instagram.com`, but
//!   without the resumable upload: media must have a URL Meta can fetch
//!   (the source's public URL or the configured media host).

use crate::media::rules::MediaRule;
use crate::platforms::content::AltTextRule;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use url::Url;

use super::{InstagramClient, LOGIN, limits};
use crate::auth::apps::ScopeUse;
use crate::auth::oauth2::{TokenGrant, TokenMethod, token_request};
use crate::auth::state::Pkce;
use crate::http::{ErrorBody, ErrorShape, Host, Idempotency, decode_json};
use crate::platforms::meta::{errors, version::GRAPH_VERSION};
use crate::platforms::module::{Check, ClientExtras, OAuthApp, PlatformModule};
use crate::platforms::{ClientConfig, PlatformClient, single_account};
use crate::{Capabilities, Endpoints, Error, Platform, Post, Profile, Result, Secret, StoredToken};

/// Instagram through Instagram Login.
#[derive(Clone, Copy, Debug)]
pub(crate) struct InstagramLogin;

impl ErrorShape for InstagramLogin {
    fn platform(&self) -> Platform {
        Platform::Instagram
    }

    fn error(&self, body: &ErrorBody<'_>) -> Error {
        errors::map(body)
    }
}

/// A grant whose long-lived token is also what renews it.
fn self_refreshing(mut grant: TokenGrant) -> TokenGrant {
    grant.refresh = Some(Secret::new(grant.access.expose().clone()));
    grant
}

/// `/{version}{path}` on the API host.
fn graph_url(app: &OAuthApp<'_>, path: &str) -> Url {
    app.url(
        Host::Api,
        &format!("/{}{path}", app.api_version.unwrap_or(GRAPH_VERSION)),
    )
}

/// The `/me` profile of `token`.
async fn me(app: &OAuthApp<'_>, token: &str) -> Result<Profile> {
    let url = graph_url(app, "/me");
    let query = [("fields", "user_id,username,name"), ("access_token", token)];
    let resp = app
        .http
        .send(&InstagramLogin, "profile", Idempotency::Idempotent, |c| {
            c.get(url.clone()).query(&query)
        })
        .await?;
    let v: Value = decode_json(Platform::Instagram, resp).await?;
    let text = |k: &str| {
        v.get(k).and_then(|x| {
            x.as_str()
                .map(str::to_owned)
                .or_else(|| x.as_u64().map(|n| n.to_string()))
        })
    };
    let id = text("user_id").or_else(|| text("id")).ok_or_else(|| {
        Error::unexpected_response(
            Platform::Instagram,
            None,
            "the profile has no user_id",
            Some(&v.to_string()),
        )
    })?;
    Ok(Profile {
        platform_user_id: id,
        handle: text("username"),
        display_name: text("name"),
        kind: Some("instagram_business".into()),
    })
}

#[async_trait]
impl PlatformModule for InstagramLogin {
    fn display_name(&self) -> &'static str {
        "Instagram"
    }

    fn refresh_window(&self) -> Option<std::time::Duration> {
        // Tokens live 60 days and refresh once at least 24 h old.
        Some(std::time::Duration::from_secs(30 * 86_400))
    }

    fn capabilities(&self) -> &'static Capabilities {
        &limits::CAPS
    }

    fn quotas(&self) -> Vec<crate::quota::Bucket> {
        limits::quotas()
    }

    fn check(&self, post: &Post, check: &mut Check) {
        limits::check(post, check);
    }

    fn media_rule(&self, post: &crate::Post, media: &crate::Media) -> Option<&'static MediaRule> {
        limits::media_rule(post, media)
    }

    fn production_endpoints(&self) -> Endpoints {
        Endpoints::fixed(
            "https://www.instagram.com",
            "https://api.instagram.com",
            "https://graph.instagram.com",
            "https://graph.instagram.com",
        )
    }

    fn scopes(&self, uses: &[ScopeUse]) -> Vec<&'static str> {
        let mut s = vec!["instagram_business_basic"];
        if uses.contains(&ScopeUse::Publish) {
            s.push("instagram_business_content_publish");
            // First comments and threads as comments (`comment.rs`).
            s.push("instagram_business_manage_comments");
        }
        if uses.contains(&ScopeUse::Analytics) {
            s.push("instagram_business_manage_insights");
        }
        s
    }

    fn authorize_url(
        &self,
        app: &OAuthApp<'_>,
        scopes: &[&str],
        redirect_uri: &str,
        state: &str,
        _: Option<&Pkce>,
    ) -> Result<Url> {
        let mut u = app.url(Host::Auth, "/oauth/authorize");
        u.query_pairs_mut()
            .append_pair("client_id", &app.app()?.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", &scopes.join(","))
            .append_pair("state", state);
        Ok(u)
    }

    async fn exchange_code(
        &self,
        app: &OAuthApp<'_>,
        code: &str,
        redirect_uri: &str,
        _: Option<&str>,
    ) -> Result<TokenGrant> {
        let secret = app.secret()?;
        let client_id = app.app()?.client_id.as_str();
        let url = app.url(Host::Token, "/oauth/access_token");
        let form = [
            ("client_id", client_id),
            ("client_secret", secret),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri),
            ("code", code),
        ];
        let resp = app
            .http
            .send(self, "token_exchange", Idempotency::Idempotent, |c| {
                c.post(url.clone()).form(&form)
            })
            .await?;
        let v: Value = decode_json(Platform::Instagram, resp).await?;
        // `{"data": [{..}]}` today; flat in older answers.
        let entry = v.pointer("/data/0").unwrap_or(&v);
        let field = |k: &str| entry.get(k).and_then(Value::as_str).map(str::to_owned);
        let short = TokenGrant::new(Platform::Instagram, field("access_token"), None, || {
            v.to_string()
        })?;
        let scopes = field("permissions")
            .map(|p| crate::auth::apps::split_scopes(&p))
            .unwrap_or_default();
        let long = token_request(
            app.http,
            self,
            "long_lived_exchange",
            TokenMethod::Get,
            app.url(Host::Api, "/access_token"),
            &[
                ("grant_type", "ig_exchange_token"),
                ("client_secret", secret),
                ("access_token", short.access.expose()),
            ],
        )
        .await?;
        Ok(self_refreshing(TokenGrant { scopes, ..long }))
    }

    async fn refresh(&self, app: &OAuthApp<'_>, refresh_token: &str) -> Result<TokenGrant> {
        let grant = token_request(
            app.http,
            self,
            "token_refresh",
            TokenMethod::Get,
            app.url(Host::Api, "/refresh_access_token"),
            &[
                ("grant_type", "ig_refresh_token"),
                ("access_token", refresh_token),
            ],
        )
        .await?;
        Ok(self_refreshing(grant))
    }

    /// Instagram Login has no revocation endpoint (the user removes the app
    /// in Instagram's settings): nothing to do.
    async fn revoke(&self, _: &OAuthApp<'_>, _: &StoredToken) -> Result<()> {
        tracing::debug!("Instagram Login has no revocation endpoint; nothing to revoke");
        Ok(())
    }

    async fn discover(
        &self,
        app: &OAuthApp<'_>,
        user_id: &str,
        grant: TokenGrant,
        now: DateTime<Utc>,
    ) -> Result<Vec<StoredToken>> {
        let profile = me(app, grant.access.expose()).await?;
        single_account(user_id, Platform::Instagram, profile, grant, now)
    }

    async fn live_profile(&self, app: &OAuthApp<'_>, row: &StoredToken) -> Result<Profile> {
        let token = crate::platforms::common::access_token(Platform::Instagram, row)?;
        me(app, token).await
    }

    fn login(&self) -> Option<&'static str> {
        Some(LOGIN)
    }

    fn client(&self, config: ClientConfig, extras: &ClientExtras) -> Arc<dyn PlatformClient> {
        let c = InstagramClient::new(config).without_rupload();
        Arc::new(match &extras.media_host {
            Some(h) => c.with_media_host(h.clone()),
            None => c,
        })
    }

    fn sequences(&self) -> crate::thread::Sequences {
        super::comment::SEQUENCES
    }

    fn alt_text(&self) -> Option<&'static AltTextRule> {
        Some(&super::content::ALT_TEXT)
    }
}
