//! Each platform's OAuth 2.0 endpoints and quirks: authorize URL, code
//! exchange, refresh and revoke.
//!
//! X and Google are standard enough for the `oauth2` crate. The others get
//! a small explicit request, each for a stated reason:
//! * LinkedIn answers without `token_type` (which `oauth2` requires) and
//!   with comma-separated scopes;
//! * TikTok names the client id `client_key` everywhere and separates
//!   scopes with commas;
//! * Meta exchanges the code with a GET and then trades the short-lived
//!   token for a long-lived one with `grant_type=fb_exchange_token`; it
//!   has no refresh token at all.

use std::borrow::Cow;

use hmac::{Hmac, Mac};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RevocationUrl,
    Scope, StandardRevocableToken, TokenUrl,
};
use sha2::Sha256;
use tracing::debug;
use url::Url;

use super::apps::{AppCredentials, required_scopes};
use super::oauth2::{OAuth2Http, TokenGrant, TokenMethod, from_oauth2_error, token_request};
use super::state::Pkce;
use crate::http::{Host, Idempotency};
use crate::{Endpoints, Error, HttpClient, Platform, Result};

/// Graph API version used for Meta calls (the emulator accepts any
/// `v{NN}.0`).
pub const GRAPH_VERSION: &str = "v21.0";

/// Everything a per-platform OAuth call needs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Provider<'a> {
    pub(crate) platform: Platform,
    pub(crate) app: &'a AppCredentials,
    pub(crate) endpoints: &'a Endpoints,
    pub(crate) http: &'a HttpClient,
}

type StdClient = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointSet, EndpointSet>;

fn cfg_err(platform: Platform, e: impl std::fmt::Display) -> Error {
    Error::Config(format!("{platform}: bad OAuth endpoint: {e}"))
}

/// `hex(HMAC-SHA256(app_secret, access_token))`, sent with every Graph call.
pub(crate) fn appsecret_proof(app_secret: &str, access_token: &str) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    m.update(access_token.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

impl Provider<'_> {
    fn url(&self, host: Host, path: &str) -> Url {
        self.endpoints.url(host, path)
    }

    fn graph(&self, host: Host, path: &str) -> Url {
        self.url(host, &format!("/{GRAPH_VERSION}{path}"))
    }

    fn http(&self, op: &'static str) -> OAuth2Http<'_> {
        OAuth2Http {
            http: self.http,
            platform: self.platform,
            op,
        }
    }

    /// The `oauth2` crate client for X or Google.
    fn std_client(&self) -> Result<StdClient> {
        let p = self.platform;
        let (auth, token, revoke, auth_type) = match p {
            Platform::X => (
                self.url(Host::Auth, "/i/oauth2/authorize"),
                self.url(Host::Token, "/2/oauth2/token"),
                self.url(Host::Token, "/2/oauth2/revoke"),
                AuthType::BasicAuth,
            ),
            Platform::YouTube => (
                self.url(Host::Auth, "/o/oauth2/v2/auth"),
                self.url(Host::Token, "/token"),
                self.url(Host::Token, "/revoke"),
                AuthType::RequestBody,
            ),
            _ => {
                return Err(Error::Config(format!(
                    "{p}: not a standard OAuth 2.0 platform"
                )));
            }
        };
        let mut client = BasicClient::new(ClientId::new(self.app.client_id.clone()))
            .set_auth_uri(AuthUrl::from_url(auth))
            .set_token_uri(TokenUrl::from_url(token))
            .set_revocation_url(RevocationUrl::from_url(revoke))
            .set_auth_type(auth_type);
        if let Some(secret) = &self.app.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.expose().clone()));
        }
        Ok(client)
    }

    /// The URL to send the user's browser to.
    pub(crate) fn authorize_url(
        &self,
        redirect_uri: &str,
        state: &str,
        pkce: Option<&Pkce>,
    ) -> Result<Url> {
        let p = self.platform;
        let scopes = required_scopes(p);
        match p {
            Platform::X | Platform::YouTube => {
                let redirect = RedirectUrl::new(redirect_uri.to_owned())
                    .map_err(|e| Error::invalid_input("redirect_uri", e.to_string()))?;
                let client = self.std_client()?;
                let state = state.to_owned();
                let mut req = client
                    .authorize_url(move || CsrfToken::new(state))
                    .set_redirect_uri(Cow::Owned(redirect))
                    .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())));
                if let Some(pkce) = pkce {
                    // The verifier stays server-side; only its S256
                    // challenge goes into the URL.
                    req = req.set_pkce_challenge(PkceCodeChallenge::from_code_verifier_sha256(
                        &PkceCodeVerifier::new(pkce.verifier.expose().clone()),
                    ));
                }
                if p == Platform::YouTube {
                    req = req
                        .add_extra_param("access_type", "offline")
                        .add_extra_param("prompt", "consent")
                        .add_extra_param("include_granted_scopes", "true");
                }
                Ok(req.url().0)
            }
            Platform::LinkedIn => {
                let mut u = self.url(Host::Auth, "/oauth/v2/authorization");
                u.query_pairs_mut()
                    .append_pair("response_type", "code")
                    .append_pair("client_id", &self.app.client_id)
                    .append_pair("redirect_uri", redirect_uri)
                    .append_pair("state", state)
                    .append_pair("scope", &scopes.join(" "));
                Ok(u)
            }
            Platform::Facebook | Platform::Instagram => {
                let mut u = self.url(Host::Auth, &format!("/{GRAPH_VERSION}/dialog/oauth"));
                u.query_pairs_mut()
                    .append_pair("client_id", &self.app.client_id)
                    .append_pair("redirect_uri", redirect_uri)
                    .append_pair("state", state)
                    .append_pair("response_type", "code")
                    .append_pair("scope", &scopes.join(","));
                Ok(u)
            }
            Platform::TikTok => {
                let mut u = self.url(Host::Auth, "/v2/auth/authorize/");
                {
                    let mut q = u.query_pairs_mut();
                    q.append_pair("client_key", &self.app.client_id)
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
        }
    }

    /// Whether this platform's flow uses PKCE (X always; TikTok and Google
    /// optionally, and we use it).
    pub(crate) fn uses_pkce(platform: Platform) -> bool {
        matches!(platform, Platform::X | Platform::TikTok | Platform::YouTube)
    }

    /// Exchanges an authorization code. For Meta the answer is already the
    /// long-lived user token.
    pub(crate) async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
    ) -> Result<TokenGrant> {
        let p = self.platform;
        match p {
            Platform::X | Platform::YouTube => {
                let client = self.std_client()?;
                let redirect = RedirectUrl::new(redirect_uri.to_owned())
                    .map_err(|e| Error::invalid_input("redirect_uri", e.to_string()))?;
                let mut req = client
                    .exchange_code(AuthorizationCode::new(code.to_owned()))
                    .set_redirect_uri(Cow::Owned(redirect));
                if let Some(v) = verifier {
                    req = req.set_pkce_verifier(PkceCodeVerifier::new(v.to_owned()));
                }
                if p == Platform::X && self.app.client_secret.is_none() {
                    // Public clients identify themselves in the body.
                    req = req.add_extra_param("client_id", self.app.client_id.clone());
                }
                let http = self.http("token_exchange");
                let r = req
                    .request_async(&http)
                    .await
                    .map_err(|e| from_oauth2_error(p, e))?;
                TokenGrant::from_basic(p, &r)
            }
            Platform::LinkedIn => {
                let secret = self.app.secret(p)?;
                token_request(
                    self.http,
                    p,
                    "token_exchange",
                    TokenMethod::PostForm,
                    self.url(Host::Token, "/oauth/v2/accessToken"),
                    &[
                        ("grant_type", "authorization_code"),
                        ("code", code),
                        ("redirect_uri", redirect_uri),
                        ("client_id", &self.app.client_id),
                        ("client_secret", secret),
                    ],
                )
                .await
            }
            Platform::TikTok => {
                let secret = self.app.secret(p)?;
                let mut params = vec![
                    ("client_key", self.app.client_id.as_str()),
                    ("client_secret", secret),
                    ("code", code),
                    ("grant_type", "authorization_code"),
                    ("redirect_uri", redirect_uri),
                ];
                if let Some(v) = verifier {
                    params.push(("code_verifier", v));
                }
                token_request(
                    self.http,
                    p,
                    "token_exchange",
                    TokenMethod::PostForm,
                    self.url(Host::Token, "/v2/oauth/token/"),
                    &params,
                )
                .await
            }
            Platform::Facebook | Platform::Instagram => {
                let secret = self.app.secret(p)?;
                let url = self.graph(Host::Token, "/oauth/access_token");
                let short = token_request(
                    self.http,
                    p,
                    "token_exchange",
                    TokenMethod::Get,
                    url.clone(),
                    &[
                        ("client_id", &self.app.client_id),
                        ("redirect_uri", redirect_uri),
                        ("client_secret", secret),
                        ("code", code),
                    ],
                )
                .await?;
                let long = token_request(
                    self.http,
                    p,
                    "long_lived_exchange",
                    TokenMethod::Get,
                    url,
                    &[
                        ("grant_type", "fb_exchange_token"),
                        ("client_id", &self.app.client_id),
                        ("client_secret", secret),
                        ("fb_exchange_token", short.access.expose()),
                    ],
                )
                .await?;
                Ok(long)
            }
        }
    }

    /// Uses a refresh token. The answer may or may not carry a new refresh
    /// token; the caller keeps the old one when it does not.
    pub(crate) async fn refresh(&self, refresh_token: &str) -> Result<TokenGrant> {
        let p = self.platform;
        match p {
            Platform::X | Platform::YouTube => {
                let client = self.std_client()?;
                let rt = RefreshToken::new(refresh_token.to_owned());
                let mut req = client.exchange_refresh_token(&rt);
                if p == Platform::X && self.app.client_secret.is_none() {
                    req = req.add_extra_param("client_id", self.app.client_id.clone());
                }
                let http = self.http("token_refresh");
                let r = req
                    .request_async(&http)
                    .await
                    .map_err(|e| from_oauth2_error(p, e))?;
                TokenGrant::from_basic(p, &r)
            }
            Platform::LinkedIn => {
                let secret = self.app.secret(p)?;
                token_request(
                    self.http,
                    p,
                    "token_refresh",
                    TokenMethod::PostForm,
                    self.url(Host::Token, "/oauth/v2/accessToken"),
                    &[
                        ("grant_type", "refresh_token"),
                        ("refresh_token", refresh_token),
                        ("client_id", &self.app.client_id),
                        ("client_secret", secret),
                    ],
                )
                .await
            }
            Platform::TikTok => {
                let secret = self.app.secret(p)?;
                token_request(
                    self.http,
                    p,
                    "token_refresh",
                    TokenMethod::PostForm,
                    self.url(Host::Token, "/v2/oauth/token/"),
                    &[
                        ("client_key", &self.app.client_id),
                        ("client_secret", secret),
                        ("grant_type", "refresh_token"),
                        ("refresh_token", refresh_token),
                    ],
                )
                .await
            }
            Platform::Facebook | Platform::Instagram => Err(Error::ReauthRequired {
                platform: p,
                account: None,
                reason: "Meta tokens cannot be refreshed".into(),
            }),
        }
    }

    /// Revokes a grant at the platform. `token` is the refresh token when
    /// there is one (revoking it ends the whole grant), else the access
    /// token; `meta_user` is the Facebook user id for Meta.
    pub(crate) async fn revoke(
        &self,
        token: &str,
        is_refresh: bool,
        meta_user: Option<&str>,
    ) -> Result<()> {
        let p = self.platform;
        match p {
            Platform::X => {
                let client = self.std_client()?;
                let t = if is_refresh {
                    StandardRevocableToken::RefreshToken(RefreshToken::new(token.to_owned()))
                } else {
                    StandardRevocableToken::AccessToken(oauth2::AccessToken::new(token.to_owned()))
                };
                let mut req = client.revoke_token(t).map_err(|e| cfg_err(p, e))?;
                if self.app.client_secret.is_none() {
                    req = req.add_extra_param("client_id", self.app.client_id.clone());
                }
                let http = self.http("token_revoke");
                req.request_async(&http)
                    .await
                    .map_err(|e| from_oauth2_error(p, e))
            }
            Platform::YouTube => {
                // Google documents the token as a query parameter.
                let mut url = self.url(Host::Token, "/revoke");
                url.query_pairs_mut().append_pair("token", token);
                self.http
                    .send(p, "token_revoke", Idempotency::Idempotent, |c| {
                        c.post(url.clone())
                            .header("content-type", "application/x-www-form-urlencoded")
                    })
                    .await
                    .map(drop)
            }
            Platform::LinkedIn | Platform::TikTok => {
                let secret = self.app.secret(p)?;
                let (url, id_name) = if p == Platform::LinkedIn {
                    (self.url(Host::Token, "/oauth/v2/revoke"), "client_id")
                } else {
                    (self.url(Host::Token, "/v2/oauth/revoke/"), "client_key")
                };
                let form = [
                    (id_name, self.app.client_id.as_str()),
                    ("client_secret", secret),
                    ("token", token),
                ];
                self.http
                    .send(p, "token_revoke", Idempotency::Idempotent, |c| {
                        c.post(url.clone()).form(&form)
                    })
                    .await
                    .map(drop)
            }
            Platform::Facebook | Platform::Instagram => {
                let Some(user) = meta_user else {
                    debug!(platform = %p, "no facebook_user_id recorded; nothing to revoke");
                    return Ok(());
                };
                let secret = self.app.secret(p)?;
                let url = self.graph(Host::Api, &format!("/{user}/permissions"));
                let proof = appsecret_proof(secret, token);
                let q = [("access_token", token), ("appsecret_proof", proof.as_str())];
                self.http
                    .send(p, "token_revoke", Idempotency::Idempotent, |c| {
                        c.delete(url.clone()).query(&q)
                    })
                    .await
                    .map(drop)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::apps::Apps;

    #[test]
    fn authorize_urls_carry_each_platforms_quirks() {
        let apps = Apps::emulator_defaults();
        let http = HttpClient::default();
        let pkce = Pkce::new();
        for p in Platform::ALL {
            let endpoints = Endpoints::production(p);
            let prov = Provider {
                platform: p,
                app: apps.get(p).unwrap(),
                endpoints: &endpoints,
                http: &http,
            };
            let u = prov
                .authorize_url("http://127.0.0.1/cb", "st", Some(&pkce))
                .unwrap();
            let q: std::collections::HashMap<_, _> = u.query_pairs().into_owned().collect();
            assert_eq!(q["state"], "st");
            match p {
                Platform::X => {
                    assert_eq!(
                        q["scope"],
                        "tweet.read tweet.write users.read offline.access media.write"
                    );
                    assert_eq!(q["code_challenge"], pkce.challenge);
                    assert_eq!(q["code_challenge_method"], "S256");
                }
                Platform::TikTok => {
                    assert_eq!(q["client_key"], "cs-test-tiktok");
                    assert_eq!(q["scope"], "user.info.basic,video.publish,video.upload");
                    assert!(!q.contains_key("client_id"));
                }
                Platform::Facebook => assert!(q["scope"].contains("pages_manage_posts,")),
                Platform::YouTube => {
                    assert_eq!(q["access_type"], "offline");
                    assert_eq!(q["prompt"], "consent");
                    assert!(q["scope"].contains("youtube.upload"));
                }
                Platform::LinkedIn => assert!(q["scope"].starts_with("openid profile")),
                Platform::Instagram => assert!(q["scope"].contains("instagram_content_publish")),
            }
        }
        let proof = appsecret_proof("app-secret", "token");
        assert_eq!(proof.len(), 64);
        assert_ne!(proof, appsecret_proof("app-secret", "token2"));
    }
}
