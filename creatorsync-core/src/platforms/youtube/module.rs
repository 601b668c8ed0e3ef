//! [`YouTube`]: the YouTube platform module (Google OAuth 2.0 with PKCE
//! and offline access; one channel per grant).

use crate::platforms::content::LinkPlacement;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use url::Url;

use super::{YouTubeClient, errors, limits};
use crate::auth::accounts::{bearer_json, s, unexpected};
use crate::auth::apps::ScopeUse;
use crate::auth::oauth2::TokenGrant;
use crate::auth::standard::StandardOAuth;
use crate::auth::state::Pkce;
use crate::http::{ErrorBody, ErrorShape, Host, Idempotency};
use crate::platforms::common::access_token;
use crate::platforms::module::{Check, ClientExtras, OAuthApp, PlatformModule};
use crate::platforms::{ClientConfig, PlatformClient, single_account};
use crate::{
    Capabilities, Credential, Endpoints, Error, Platform, Post, Profile, Result, StoredToken,
};

/// YouTube.
#[derive(Clone, Copy, Debug)]
pub(crate) struct YouTube;

impl YouTube {
    fn oauth(app: &OAuthApp<'_>) -> StandardOAuth {
        StandardOAuth {
            authorize: app.url(Host::Auth, "/o/oauth2/v2/auth"),
            token: app.url(Host::Token, "/token"),
            revoke: app.url(Host::Token, "/revoke"),
            basic_auth: false,
            public_client_id_in_body: false,
        }
    }

    async fn channel(app: &OAuthApp<'_>, token: &str) -> Result<Profile> {
        let url = app.url(Host::Api, "/youtube/v3/channels?part=snippet&mine=true");
        let v = bearer_json(app.http, &YouTube, "channels_mine", url, token, &[]).await?;
        let id = s(&v, "/items/0/id").ok_or_else(|| unexpected(Platform::YouTube, "channel"))?;
        Ok(Profile {
            platform_user_id: id,
            handle: s(&v, "/items/0/snippet/customUrl")
                .map(|h| h.trim_start_matches('@').to_owned()),
            display_name: s(&v, "/items/0/snippet/title"),
            kind: Some("channel".into()),
        })
    }
}

impl ErrorShape for YouTube {
    fn platform(&self) -> Platform {
        Platform::YouTube
    }

    fn error(&self, body: &ErrorBody<'_>) -> Error {
        errors::map(body)
    }
}

#[async_trait]
impl PlatformModule for YouTube {
    fn display_name(&self) -> &'static str {
        "YouTube"
    }

    fn capabilities(&self) -> &'static Capabilities {
        &limits::CAPS
    }

    fn quotas(&self) -> Vec<crate::quota::Bucket> {
        limits::quotas()
    }

    fn read_quotas(&self) -> Vec<crate::quota::Bucket> {
        limits::quotas()
            .into_iter()
            .filter(|b| b.name == "units")
            .collect()
    }

    fn check(&self, post: &Post, check: &mut Check) {
        limits::check(post, check);
        super::manage::check_draft(post, check);
    }

    fn native_schedule(&self, post: &Post) -> Option<chrono::DateTime<chrono::Utc>> {
        post.options.youtube.publish_at
    }

    /// `publishAt` needs a private video (YouTube makes it public then).
    fn schedule_natively(&self, post: &mut Post, at: chrono::DateTime<chrono::Utc>) -> bool {
        post.options.youtube.publish_at = Some(at);
        post.options.youtube.privacy = crate::YouTubePrivacy::Private;
        true
    }

    fn production_endpoints(&self) -> Endpoints {
        Endpoints::fixed(
            "https://accounts.google.com",
            "https://oauth2.googleapis.com",
            "https://www.googleapis.com",
            "https://www.googleapis.com",
        )
    }

    fn scopes(&self, uses: &[ScopeUse]) -> Vec<&'static str> {
        let mut s = Vec::new();
        if uses.contains(&ScopeUse::Publish) {
            s.push("https://www.googleapis.com/auth/youtube.upload");
            // First comments and threads as comments (`comment.rs`).
            s.push(super::comment::FORCE_SSL);
        }
        s.push("https://www.googleapis.com/auth/youtube.readonly");
        if uses.contains(&ScopeUse::Analytics) {
            s.push("https://www.googleapis.com/auth/yt-analytics.readonly");
        }
        if uses.contains(&ScopeUse::Manage) {
            s.push(super::manage::MANAGE[0]);
        }
        s
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
        // Offline access with a consent prompt, or Google issues no
        // refresh token on a reconnect.
        let extra = [
            ("access_type", "offline"),
            ("prompt", "consent"),
            ("include_granted_scopes", "true"),
        ];
        Self::oauth(app).authorize_url(app, scopes, redirect_uri, state, pkce, &extra)
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
        let token = match &row.credential {
            Credential::OAuth2 {
                refresh: Some(r), ..
            } => r.expose(),
            Credential::OAuth2 { access, .. } => access.expose(),
            Credential::OAuth1 { .. } => return Ok(()),
        };
        // Google documents the token as a query parameter.
        let mut url = app.url(Host::Token, "/revoke");
        url.query_pairs_mut().append_pair("token", token);
        app.http
            .send(self, "token_revoke", Idempotency::Idempotent, |c| {
                c.post(url.clone())
                    .header("content-type", "application/x-www-form-urlencoded")
            })
            .await
            .map(drop)
    }

    async fn discover(
        &self,
        app: &OAuthApp<'_>,
        user_id: &str,
        grant: TokenGrant,
        now: DateTime<Utc>,
    ) -> Result<Vec<StoredToken>> {
        let profile = Self::channel(app, grant.access.expose()).await?;
        single_account(user_id, Platform::YouTube, profile, grant, now)
    }

    async fn live_profile(&self, app: &OAuthApp<'_>, row: &StoredToken) -> Result<Profile> {
        Self::channel(app, access_token(Platform::YouTube, row)?).await
    }

    fn client(&self, config: ClientConfig, _: &ClientExtras) -> Arc<dyn PlatformClient> {
        Arc::new(YouTubeClient::new(config))
    }

    fn sequences(&self) -> crate::thread::Sequences {
        super::comment::SEQUENCES
    }

    /// `commentThreads.insert` spends the project's daily units (50 each).
    fn comment_quotas(&self) -> Vec<crate::quota::Bucket> {
        self.read_quotas()
    }

    fn draft(&self) -> Option<crate::DraftKind> {
        Some(crate::DraftKind::Private)
    }

    /// Descriptions link URLs: a post's link goes in the description.
    fn link_placement(&self, _post: &Post) -> LinkPlacement {
        LinkPlacement::InText
    }
}
