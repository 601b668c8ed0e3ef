//! X's OAuth 1.0a three-legged flow: `request_token` → authorize →
//! `access_token` with `oauth_verifier`, and signed profile reads for
//! OAuth 1.0a accounts. The signer itself is generic
//! ([`crate::auth::OAuth1Signer`]).

use std::collections::HashMap;

use serde_json::Value;
use url::Url;

use super::X;
use crate::auth::apps::ConsumerCredentials;
use crate::auth::oauth1::{OAuth1Signer, SignInput};
use crate::http::{Host, Idempotency, decode_json, transport_error};
use crate::platforms::OAuthApp;
use crate::{Endpoints, Error, HttpClient, Platform, Result, Secret};

/// The answer of `access_token`.
#[derive(Debug)]
pub(crate) struct XAccess {
    pub(crate) token: Secret<String>,
    pub(crate) secret: Secret<String>,
    pub(crate) user_id: String,
    pub(crate) screen_name: Option<String>,
}

/// The three legs, for one consumer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct XOAuth1<'a> {
    pub(crate) consumer: &'a ConsumerCredentials,
    pub(crate) endpoints: &'a Endpoints,
    pub(crate) http: &'a HttpClient,
}

impl<'a> XOAuth1<'a> {
    /// The legs for the app's consumer (fails when none is configured).
    pub(crate) fn new(app: &OAuthApp<'a>) -> Result<Self> {
        Ok(Self {
            consumer: app.apps.x_consumer()?,
            endpoints: app.endpoints,
            http: app.http,
        })
    }
}

fn missing(field: &str) -> Error {
    Error::unexpected_response(
        Platform::X,
        None,
        &format!("the OAuth 1.0a answer has no {field}"),
        None,
    )
}

impl XOAuth1<'_> {
    fn signer(&self) -> OAuth1Signer {
        OAuth1Signer::new(self.consumer.key.clone(), self.consumer.secret.expose())
    }

    /// POSTs a signed request with no body and reads a form answer.
    async fn signed_post_form(
        &self,
        op: &'static str,
        signer: &OAuth1Signer,
        url: Url,
        oauth_extra: &[(&str, &str)],
    ) -> Result<HashMap<String, String>> {
        let resp = self
            .http
            .send(&X, op, Idempotency::Idempotent, |c| {
                let mut header = String::with_capacity(400);
                signer.write_authorization(
                    &SignInput {
                        method: "POST",
                        url: &url,
                        form: &[],
                        oauth_extra,
                    },
                    &mut header,
                );
                c.post(url.clone()).header("authorization", header)
            })
            .await?;
        let body = resp
            .bytes()
            .await
            .map_err(|e| transport_error(Platform::X, e))?;
        Ok(url::form_urlencoded::parse(&body).into_owned().collect())
    }

    /// Leg 1: a request token for `callback`.
    pub(crate) async fn request_token(&self, callback: &str) -> Result<(String, Secret<String>)> {
        let url = self.endpoints.url(Host::Api, "/oauth/request_token");
        let mut f = self
            .signed_post_form(
                "request_token",
                &self.signer(),
                url,
                &[("oauth_callback", callback)],
            )
            .await?;
        if f.get("oauth_callback_confirmed").map(String::as_str) != Some("true") {
            return Err(missing("oauth_callback_confirmed=true"));
        }
        let token = f
            .remove("oauth_token")
            .ok_or_else(|| missing("oauth_token"))?;
        let secret = f
            .remove("oauth_token_secret")
            .ok_or_else(|| missing("oauth_token_secret"))?;
        Ok((token, Secret::new(secret)))
    }

    /// Leg 2: where to send the user.
    pub(crate) fn authorize_url(&self, request_token: &str) -> Url {
        let mut u = self.endpoints.url(Host::Auth, "/oauth/authorize");
        u.query_pairs_mut()
            .append_pair("oauth_token", request_token);
        u
    }

    /// Leg 3: trades the authorized request token for an access token.
    pub(crate) async fn access_token(
        &self,
        request_token: &str,
        request_secret: &str,
        verifier: &str,
    ) -> Result<XAccess> {
        let url = self.endpoints.url(Host::Api, "/oauth/access_token");
        let signer = self.signer().with_token(request_token, request_secret);
        let mut f = self
            .signed_post_form(
                "access_token",
                &signer,
                url,
                &[("oauth_verifier", verifier)],
            )
            .await?;
        Ok(XAccess {
            token: Secret::new(
                f.remove("oauth_token")
                    .ok_or_else(|| missing("oauth_token"))?,
            ),
            secret: Secret::new(
                f.remove("oauth_token_secret")
                    .ok_or_else(|| missing("oauth_token_secret"))?,
            ),
            user_id: f.remove("user_id").ok_or_else(|| missing("user_id"))?,
            screen_name: f.remove("screen_name"),
        })
    }

    /// A signed GET returning JSON (profile calls).
    pub(crate) async fn signed_get_json(
        &self,
        token: &str,
        token_secret: &str,
        url: Url,
    ) -> Result<Value> {
        let signer = self.signer().with_token(token, token_secret);
        let resp = self
            .http
            .send(&X, "users_me", Idempotency::Idempotent, |c| {
                c.get(url.clone())
                    .header("authorization", signer.authorization("GET", &url, &[]))
            })
            .await?;
        decode_json(Platform::X, resp).await
    }
}
