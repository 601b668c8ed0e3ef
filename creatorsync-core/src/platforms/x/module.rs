//! [`X`]: the X platform module (OAuth 2.0 with PKCE, or OAuth 1.0a user
//! tokens; one account per grant).

use crate::media::rules::MediaRule;
use crate::platforms::content::{AltTextRule, LinkPlacement};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use url::Url;

use super::oauth1::XOAuth1;
use super::{XClient, accounts, errors, limits};
use crate::auth::apps::ScopeUse;
use crate::auth::oauth2::TokenGrant;
use crate::auth::standard::StandardOAuth;
use crate::auth::state::Pkce;
use crate::http::{ErrorBody, ErrorShape, Host};
use crate::platforms::module::{ClientExtras, OAuth1Flow, OAuthApp, PlatformModule};
use crate::platforms::{ClientConfig, PlatformClient, single_account};
use crate::{
    Capabilities, Credential, Endpoints, Error, Platform, Profile, Result, Secret, StoredToken,
};

/// X (formerly Twitter).
#[derive(Clone, Copy, Debug)]
pub(crate) struct X;

impl X {
    fn oauth(app: &OAuthApp<'_>) -> StandardOAuth {
        StandardOAuth {
            authorize: app.url(Host::Auth, "/i/oauth2/authorize"),
            token: app.url(Host::Token, "/2/oauth2/token"),
            revoke: app.url(Host::Token, "/2/oauth2/revoke"),
            basic_auth: true,
            public_client_id_in_body: true,
        }
    }
}

impl ErrorShape for X {
    fn platform(&self) -> Platform {
        Platform::X
    }

    fn error(&self, body: &ErrorBody<'_>) -> Error {
        errors::map(body)
    }
}

#[async_trait]
impl PlatformModule for X {
    fn display_name(&self) -> &'static str {
        "X"
    }

    fn capabilities(&self) -> &'static Capabilities {
        &limits::CAPS
    }

    fn quotas(&self) -> Vec<crate::quota::Bucket> {
        limits::quotas()
    }

    fn media_rule(&self, _post: &crate::Post, media: &crate::Media) -> Option<&'static MediaRule> {
        limits::media_rule(media)
    }

    fn production_endpoints(&self) -> Endpoints {
        Endpoints::fixed(
            "https://x.com",
            "https://api.x.com",
            "https://api.x.com",
            "https://api.x.com",
        )
    }

    fn scopes(&self, uses: &[ScopeUse]) -> Vec<&'static str> {
        if uses.contains(&ScopeUse::Publish) {
            vec![
                "tweet.read",
                "tweet.write",
                "users.read",
                "offline.access",
                "media.write",
            ]
        } else {
            vec!["tweet.read", "users.read", "offline.access"]
        }
    }

    fn uses_pkce(&self) -> bool {
        true
    }

    fn authorize_url(
        &self,
        app: &OAuthApp<'_>,
        scopes: &[&str],
        redirect_uri: &str,
        state: &str,
        pkce: Option<&Pkce>,
    ) -> Result<Url> {
        Self::oauth(app).authorize_url(app, scopes, redirect_uri, state, pkce, &[])
    }

    async fn exchange_code(
        &self,
        app: &OAuthApp<'_>,
        code: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
    ) -> Result<TokenGrant> {
        Self::oauth(app)
            .exchange_code(self, app, code, redirect_uri, verifier)
            .await
    }

    async fn refresh(&self, app: &OAuthApp<'_>, refresh_token: &str) -> Result<TokenGrant> {
        Self::oauth(app).refresh(self, app, refresh_token).await
    }

    async fn revoke(&self, app: &OAuthApp<'_>, row: &StoredToken) -> Result<()> {
        let (token, is_refresh) = match &row.credential {
            // OAuth 1.0a tokens have no revoke endpoint here.
            Credential::OAuth1 { .. } => return Ok(()),
            Credential::OAuth2 {
                refresh: Some(r), ..
            } => (r.expose().as_str(), true),
            Credential::OAuth2 { access, .. } => (access.expose().as_str(), false),
        };
        Self::oauth(app).revoke(self, app, token, is_refresh).await
    }

    async fn discover(
        &self,
        app: &OAuthApp<'_>,
        user_id: &str,
        grant: TokenGrant,
        now: DateTime<Utc>,
    ) -> Result<Vec<StoredToken>> {
        let profile = accounts::bearer_profile(app, grant.access.expose()).await?;
        single_account(user_id, Platform::X, profile, grant, now)
    }

    async fn live_profile(&self, app: &OAuthApp<'_>, row: &StoredToken) -> Result<Profile> {
        match &row.credential {
            Credential::OAuth1 { token, secret } => {
                accounts::signed_profile(app, token.expose(), secret.expose()).await
            }
            Credential::OAuth2 { access, .. } => {
                accounts::bearer_profile(app, access.expose()).await
            }
        }
    }

    fn oauth1(&self) -> Option<&dyn OAuth1Flow> {
        Some(self)
    }

    fn client(&self, config: ClientConfig, _: &ClientExtras) -> Arc<dyn PlatformClient> {
        Arc::new(XClient::new(config))
    }

    fn sequences(&self) -> crate::thread::Sequences {
        // A thread is posts replying to the previous one:
        // `POST /2/tweets` with `reply.in_reply_to_tweet_id` (X API v2
        // reference, checked 2026-12).
        crate::thread::Sequences::Replies
    }

    fn alt_text(&self) -> Option<&'static AltTextRule> {
        Some(&super::content::ALT_TEXT)
    }

    fn link_placement(&self, _post: &crate::Post) -> LinkPlacement {
        LinkPlacement::InText
    }
}

#[async_trait]
impl OAuth1Flow for X {
    async fn request_token(
        &self,
        app: &OAuthApp<'_>,
        callback: &str,
    ) -> Result<(String, Secret<String>)> {
        XOAuth1::new(app)?.request_token(callback).await
    }

    fn authorize_url(&self, app: &OAuthApp<'_>, request_token: &str) -> Result<Url> {
        Ok(XOAuth1::new(app)?.authorize_url(request_token))
    }

    async fn complete(
        &self,
        app: &OAuthApp<'_>,
        user_id: &str,
        (token, secret): (&str, &str),
        verifier: &str,
    ) -> Result<Vec<StoredToken>> {
        let access = XOAuth1::new(app)?
            .access_token(token, secret, verifier)
            .await?;
        accounts::oauth1_account(app, user_id, access).await
    }
}
