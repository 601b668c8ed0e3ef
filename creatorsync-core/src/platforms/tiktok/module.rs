//! [`TikTok`]: the TikTok platform module (OAuth 2.0 with `client_key`
//! and PKCE; comma-separated scopes; one creator per grant).

use crate::media::rules::MediaRule;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use url::Url;

use super::{TikTokClient, errors, limits};
use crate::auth::accounts::{bearer_json, s};
use crate::auth::apps::ScopeUse;
use crate::auth::oauth2::{TokenGrant, TokenMethod, token_request};
use crate::auth::state::Pkce;
use crate::http::{ErrorBody, ErrorShape, Host, Idempotency};
use crate::platforms::common::access_token;
use crate::platforms::module::{Check, ClientExtras, OAuthApp, PlatformModule};
use crate::platforms::{ClientConfig, PlatformClient, single_account};
use crate::{
    Capabilities, Credential, Endpoints, Error, Platform, Post, Profile, Result, StoredToken,
};

/// TikTok.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TikTok;

impl TikTok {
    async fn user(app: &OAuthApp<'_>, token: &str) -> Result<Profile> {
        let url = app.url(
            Host::Api,
            "/v2/user/info/?fields=open_id,union_id,avatar_url,display_name,username",
        );
        let v = bearer_json(app.http, &TikTok, "user_info", url, token, &[]).await?;
        Ok(Profile {
            platform_user_id: s(&v, "/data/user/open_id").unwrap_or_default(),
            handle: s(&v, "/data/user/username"),
            display_name: s(&v, "/data/user/display_name"),
            kind: Some("user".into()),
        })
    }
}

impl ErrorShape for TikTok {
    fn platform(&self) -> Platform {
        Platform::TikTok
    }

    fn error(&self, body: &ErrorBody<'_>) -> Error {
        errors::map(body)
    }
}

#[async_trait]
impl PlatformModule for TikTok {
    fn display_name(&self) -> &'static str {
        "TikTok"
    }

    fn capabilities(&self) -> &'static Capabilities {
        &limits::CAPS
    }

    fn quotas(&self) -> Vec<crate::quota::Bucket> {
        limits::quotas()
    }

    fn max_text(&self, post: &Post, caps: &Capabilities) -> usize {
        if limits::is_photo_post(post) {
            limits::PHOTO_TEXT_MAX
        } else {
            caps.max_text
        }
    }

    fn check(&self, post: &Post, check: &mut Check) {
        limits::check(post, check);
    }

    fn draft(&self) -> Option<crate::DraftKind> {
        Some(crate::DraftKind::Inbox)
    }

    fn media_rule(&self, _post: &crate::Post, media: &crate::Media) -> Option<&'static MediaRule> {
        limits::media_rule(media)
    }

    fn production_endpoints(&self) -> Endpoints {
        Endpoints::fixed(
            "https://www.tiktok.com",
            "https://open.tiktokapis.com",
            "https://open.tiktokapis.com",
            "https://open-upload.tiktokapis.com",
        )
    }

    fn scopes(&self, uses: &[ScopeUse]) -> Vec<&'static str> {
        let mut s = vec!["user.info.basic"];
        if uses.contains(&ScopeUse::Publish) {
            // `video.list` lets a lost publish be reconciled (`/v2/video/list/`).
            s.extend(["video.publish", "video.upload", "video.list"]);
        }
        if uses.contains(&ScopeUse::Analytics) {
            s.extend(["video.list", "user.info.stats"]);
            s.dedup();
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
        let mut u = app.url(Host::Auth, "/v2/auth/authorize/");
        {
            let mut q = u.query_pairs_mut();
            q.append_pair("client_key", &app.app()?.client_id)
                .append_pair("scope", &scopes.join(","))
                .append_pair("response_type", "code")
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("state", state);
            if let Some(pkce) = pkce {
                q.append_pair("code_challenge", &pkce.challenge)
                    .append_pair("code_challenge_method", "S256");
            }
        }
        Ok(u)
    }

    async fn exchange_code(
        &self,
        app: &OAuthApp<'_>,
        code: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
    ) -> Result<TokenGrant> {
        let mut params = vec![
            ("client_key", app.app()?.client_id.as_str()),
            ("client_secret", app.secret()?),
            ("code", code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri),
        ];
        if let Some(v) = verifier {
            params.push(("code_verifier", v));
        }
        token_request(
            app.http,
            self,
            "token_exchange",
            TokenMethod::PostForm,
            app.url(Host::Token, "/v2/oauth/token/"),
            &params,
        )
        .await
    }

    async fn refresh(&self, app: &OAuthApp<'_>, refresh_token: &str) -> Result<TokenGrant> {
        token_request(
            app.http,
            self,
            "token_refresh",
            TokenMethod::PostForm,
            app.url(Host::Token, "/v2/oauth/token/"),
            &[
                ("client_key", app.app()?.client_id.as_str()),
                ("client_secret", app.secret()?),
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
        )
        .await
    }

    async fn revoke(&self, app: &OAuthApp<'_>, row: &StoredToken) -> Result<()> {
        let token = match &row.credential {
            Credential::OAuth2 {
                refresh: Some(r), ..
            } => r.expose(),
            Credential::OAuth2 { access, .. } => access.expose(),
            Credential::OAuth1 { .. } => return Ok(()),
        };
        let url = app.url(Host::Token, "/v2/oauth/revoke/");
        let form = [
            ("client_key", app.app()?.client_id.as_str()),
            ("client_secret", app.secret()?),
            ("token", token.as_str()),
        ];
        app.http
            .send(self, "token_revoke", Idempotency::Idempotent, |c| {
                c.post(url.clone()).form(&form)
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
        let profile = Self::user(app, grant.access.expose()).await?;
        single_account(user_id, Platform::TikTok, profile, grant, now)
    }

    async fn live_profile(&self, app: &OAuthApp<'_>, row: &StoredToken) -> Result<Profile> {
        Self::user(app, access_token(Platform::TikTok, row)?).await
    }

    fn client(&self, config: ClientConfig, extras: &ClientExtras) -> Arc<dyn PlatformClient> {
        let c = TikTokClient::new(config);
        Arc::new(match &extras.media_host {
            Some(h) => c.with_media_host(h.clone()),
            None => c,
        })
    }

    fn sequences(&self) -> crate::thread::Sequences {
        // The Content Posting API (v2 `post/publish/*`) has no endpoint
        // that comments on a post (developers.tiktok.com, checked 2026-12).
        crate::thread::Sequences::Unsupported(
            "TikTok's Content Posting API has no way to comment on a post or reply to it",
        )
    }
}
