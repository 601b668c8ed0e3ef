//! Standard OAuth 2.0 (RFC 6749 + PKCE, RFC 7009 revocation) over the
//! `oauth2` crate, for platforms whose endpoints follow it (X, Google).
//! A platform module describes its endpoints in a [`StandardOAuth`] and
//! calls these; platforms that deviate write their own small requests with
//! [`super::oauth2::token_request`].

use std::borrow::Cow;

use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RevocationUrl,
    Scope, StandardRevocableToken, TokenUrl,
};
use url::Url;

use super::oauth2::{OAuth2Http, TokenGrant, from_oauth2_error};
use super::state::Pkce;
use crate::http::ErrorShape;
use crate::platforms::OAuthApp;
use crate::{Error, Result};

/// A standard platform's OAuth endpoints and client authentication.
#[derive(Clone, Debug)]
pub(crate) struct StandardOAuth {
    /// The authorize page.
    pub(crate) authorize: Url,
    /// The token endpoint.
    pub(crate) token: Url,
    /// The revocation endpoint.
    pub(crate) revoke: Url,
    /// Basic auth (X) or credentials in the body (Google).
    pub(crate) basic_auth: bool,
    /// Whether a public client (no secret) names itself with `client_id`
    /// in the body of token and revoke calls.
    pub(crate) public_client_id_in_body: bool,
}

type StdClient = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointSet, EndpointSet>;

impl StandardOAuth {
    fn client(&self, app: &OAuthApp<'_>) -> Result<StdClient> {
        let creds = app.app()?;
        let mut client = BasicClient::new(ClientId::new(creds.client_id.clone()))
            .set_auth_uri(AuthUrl::from_url(self.authorize.clone()))
            .set_token_uri(TokenUrl::from_url(self.token.clone()))
            .set_revocation_url(RevocationUrl::from_url(self.revoke.clone()))
            .set_auth_type(if self.basic_auth {
                AuthType::BasicAuth
            } else {
                AuthType::RequestBody
            });
        if let Some(secret) = &creds.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.expose().clone()));
        }
        Ok(client)
    }

    /// `client_id` for the body, when this is a public client that needs it.
    fn public_id(&self, app: &OAuthApp<'_>) -> Option<String> {
        let creds = app.app().ok()?;
        (self.public_client_id_in_body && creds.client_secret.is_none())
            .then(|| creds.client_id.clone())
    }

    /// The authorize URL, with the PKCE challenge (never the verifier)
    /// when given and `extra` query parameters.
    pub(crate) fn authorize_url(
        &self,
        app: &OAuthApp<'_>,
        scopes: &[&str],
        redirect_uri: &str,
        state: &str,
        pkce: Option<&Pkce>,
        extra: &[(&str, &str)],
    ) -> Result<Url> {
        let redirect = RedirectUrl::new(redirect_uri.to_owned())
            .map_err(|e| Error::invalid_input("redirect_uri", e.to_string()))?;
        let state = state.to_owned();
        let client = self.client(app)?;
        let mut req = client
            .authorize_url(move || CsrfToken::new(state))
            .set_redirect_uri(Cow::Owned(redirect))
            .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())));
        if let Some(pkce) = pkce {
            req = req.set_pkce_challenge(PkceCodeChallenge::from_code_verifier_sha256(
                &PkceCodeVerifier::new(pkce.verifier.expose().clone()),
            ));
        }
        for (k, v) in extra {
            req = req.add_extra_param(*k, *v);
        }
        Ok(req.url().0)
    }

    /// Exchanges an authorization code.
    pub(crate) async fn exchange_code(
        &self,
        shape: &dyn ErrorShape,
        app: &OAuthApp<'_>,
        code: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
    ) -> Result<TokenGrant> {
        let redirect = RedirectUrl::new(redirect_uri.to_owned())
            .map_err(|e| Error::invalid_input("redirect_uri", e.to_string()))?;
        let client = self.client(app)?;
        let mut req = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_redirect_uri(Cow::Owned(redirect));
        if let Some(v) = verifier {
            req = req.set_pkce_verifier(PkceCodeVerifier::new(v.to_owned()));
        }
        if let Some(id) = self.public_id(app) {
            req = req.add_extra_param("client_id", id);
        }
        let http = OAuth2Http {
            http: app.http,
            shape,
            op: "token_exchange",
        };
        let r = req
            .request_async(&http)
            .await
            .map_err(|e| from_oauth2_error(shape, e))?;
        TokenGrant::from_basic(shape.platform(), &r)
    }

    /// Uses a refresh token.
    pub(crate) async fn refresh(
        &self,
        shape: &dyn ErrorShape,
        app: &OAuthApp<'_>,
        refresh_token: &str,
    ) -> Result<TokenGrant> {
        let client = self.client(app)?;
        let rt = RefreshToken::new(refresh_token.to_owned());
        let mut req = client.exchange_refresh_token(&rt);
        if let Some(id) = self.public_id(app) {
            req = req.add_extra_param("client_id", id);
        }
        let http = OAuth2Http {
            http: app.http,
            shape,
            op: "token_refresh",
        };
        let r = req
            .request_async(&http)
            .await
            .map_err(|e| from_oauth2_error(shape, e))?;
        TokenGrant::from_basic(shape.platform(), &r)
    }

    /// Revokes a refresh token (ending the grant) or an access token
    /// (RFC 7009).
    pub(crate) async fn revoke(
        &self,
        shape: &dyn ErrorShape,
        app: &OAuthApp<'_>,
        token: &str,
        is_refresh: bool,
    ) -> Result<()> {
        let client = self.client(app)?;
        let t = if is_refresh {
            StandardRevocableToken::RefreshToken(RefreshToken::new(token.to_owned()))
        } else {
            StandardRevocableToken::AccessToken(oauth2::AccessToken::new(token.to_owned()))
        };
        let mut req = client
            .revoke_token(t)
            .map_err(|e| Error::Config(format!("{}: bad OAuth endpoint: {e}", shape.platform())))?;
        if let Some(id) = self.public_id(app) {
            req = req.add_extra_param("client_id", id);
        }
        let http = OAuth2Http {
            http: app.http,
            shape,
            op: "token_revoke",
        };
        req.request_async(&http)
            .await
            .map_err(|e| from_oauth2_error(shape, e))
    }
}
