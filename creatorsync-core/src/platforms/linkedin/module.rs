//! [`LinkedIn`]: the LinkedIn platform module (members and the
//! organizations they administer; versioned REST API).

use crate::media::rules::MediaRule;
use crate::platforms::content::{AltTextRule, LinkPlacement, MentionForm};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use url::Url;

use super::{LinkedInClient, accounts, errors, limits, oauth, version};
use crate::auth::apps::ScopeUse;
use crate::auth::oauth2::TokenGrant;
use crate::auth::state::Pkce;
use crate::http::{ErrorBody, ErrorShape};
use crate::platforms::module::{ClientExtras, OAuthApp, PlatformModule, VersionCalendar};
use crate::platforms::{ClientConfig, PlatformClient};
use crate::{Capabilities, Credential, Endpoints, Error, Platform, Profile, Result, StoredToken};

/// LinkedIn.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LinkedIn;

impl ErrorShape for LinkedIn {
    fn platform(&self) -> Platform {
        Platform::LinkedIn
    }

    fn error(&self, body: &ErrorBody<'_>) -> Error {
        errors::map(body)
    }
}

#[async_trait]
impl PlatformModule for LinkedIn {
    fn display_name(&self) -> &'static str {
        "LinkedIn"
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
            "https://www.linkedin.com",
            "https://www.linkedin.com",
            "https://api.linkedin.com",
            "https://api.linkedin.com",
        )
    }

    fn scopes(&self, uses: &[ScopeUse]) -> Vec<&'static str> {
        let mut s = vec!["openid", "profile"];
        if uses.contains(&ScopeUse::Publish) {
            s.push("w_member_social");
        }
        if uses.contains(&ScopeUse::Organizations) {
            if uses.contains(&ScopeUse::Publish) {
                s.push("w_organization_social");
            }
            s.extend(["r_organization_social", "rw_organization_admin"]);
        }
        if uses.contains(&ScopeUse::Analytics) {
            s.push("r_member_postAnalytics");
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
        oauth::authorize_url(app, scopes, redirect_uri, state)
    }

    async fn exchange_code(
        &self,
        app: &OAuthApp<'_>,
        code: &str,
        redirect_uri: &str,
        _: Option<&str>,
    ) -> Result<TokenGrant> {
        oauth::exchange_code(app, code, redirect_uri).await
    }

    async fn refresh(&self, app: &OAuthApp<'_>, refresh_token: &str) -> Result<TokenGrant> {
        oauth::refresh(app, refresh_token).await
    }

    async fn revoke(&self, app: &OAuthApp<'_>, row: &StoredToken) -> Result<()> {
        match &row.credential {
            Credential::OAuth2 {
                refresh: Some(r), ..
            } => oauth::revoke(app, r.expose()).await,
            Credential::OAuth2 { access, .. } => oauth::revoke(app, access.expose()).await,
            Credential::OAuth1 { .. } => Ok(()),
        }
    }

    async fn discover(
        &self,
        app: &OAuthApp<'_>,
        user_id: &str,
        grant: TokenGrant,
        now: DateTime<Utc>,
    ) -> Result<Vec<StoredToken>> {
        let token = grant.access.expose().clone();
        accounts::discover(app, user_id, &token, grant.into_credential(now, None)).await
    }

    async fn live_profile(&self, app: &OAuthApp<'_>, row: &StoredToken) -> Result<Profile> {
        let token = crate::platforms::common::access_token(Platform::LinkedIn, row)?;
        if row.profile.kind.as_deref() == Some("organization") {
            accounts::organization(app, token, &row.key.account_id).await
        } else {
            accounts::member(app, token).await
        }
    }

    fn versions(&self) -> Option<&'static VersionCalendar> {
        Some(&version::CALENDAR)
    }

    fn client(&self, config: ClientConfig, _: &ClientExtras) -> Arc<dyn PlatformClient> {
        Arc::new(LinkedInClient::new(config))
    }

    fn sequences(&self) -> crate::thread::Sequences {
        super::comment::SEQUENCES
    }

    fn alt_text(&self) -> Option<&'static AltTextRule> {
        Some(&super::content::ALT_TEXT)
    }

    fn mention(&self, name: &str, id: &str) -> MentionForm {
        super::content::mention(name, id)
    }

    fn escape_text(&self, text: &str) -> String {
        super::content::escape_text(text)
    }

    fn link_placement(&self, post: &crate::Post) -> LinkPlacement {
        super::content::link_placement(post)
    }
}
