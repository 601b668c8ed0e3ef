//! OAuth 1.0a (RFC 5849, HMAC-SHA1) request signing for JS callers, over
//! the core's `OAuth1Signer`. Synchronous: a signature takes about a
//! microsecond, far less than a trip through the thread pool would.

use std::collections::HashMap;

use creatorsync_core::Error;
use creatorsync_core::auth::{OAuth1Signer as CoreSigner, SignInput};
use napi::Env;
use napi_derive::napi;
use url::Url;

use crate::error;

/// What to sign.
#[napi(object)]
pub struct OAuth1Request {
    /// Consumer (API) key.
    pub consumer_key: String,
    /// Consumer (API) secret.
    pub consumer_secret: String,
    /// User token (absent for `request_token`).
    pub token: Option<String>,
    /// User token secret.
    pub token_secret: Option<String>,
    /// HTTP method.
    pub method: String,
    /// Full URL (its query is signed).
    pub url: String,
    /// Form body fields (`application/x-www-form-urlencoded`), signed.
    pub form: Option<HashMap<String, String>>,
    /// Fixed nonce (tests); default: fresh.
    pub nonce: Option<String>,
    /// Fixed timestamp in seconds (tests); default: now.
    pub timestamp: Option<u32>,
}

fn parse_url(env: &Env, url: &str) -> napi::Result<Url> {
    Url::parse(url).map_err(|e| error::to_js(env, &Error::invalid_input("url", e.to_string())))
}

fn sign(
    signer: &CoreSigner,
    method: &str,
    url: &Url,
    form: &[(&str, &str)],
    nonce: Option<&str>,
    ts: Option<u32>,
) -> String {
    match (nonce, ts) {
        (Some(n), Some(t)) => signer.authorization_with(
            &SignInput {
                method,
                url,
                form,
                oauth_extra: &[],
            },
            n,
            u64::from(t),
        ),
        _ => signer.authorization(method, url, form),
    }
}

/// The `Authorization` header value for one request (`OAuth oauth_consumer_key=...`).
#[napi(js_name = "signOAuth1")]
pub fn sign_oauth1(env: Env, request: OAuth1Request) -> napi::Result<String> {
    let mut signer = CoreSigner::new(request.consumer_key, &request.consumer_secret);
    if let Some(token) = &request.token {
        signer = signer.with_token(token, request.token_secret.as_deref().unwrap_or(""));
    }
    let url = parse_url(&env, &request.url)?;
    let form: Vec<(&str, &str)> = request
        .form
        .as_ref()
        .map(|f| f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
        .unwrap_or_default();
    Ok(sign(
        &signer,
        &request.method,
        &url,
        &form,
        request.nonce.as_deref(),
        request.timestamp,
    ))
}

/// A reusable signer for one consumer and token (the HMAC key is derived
/// once): the fast path for many signatures.
#[napi(js_name = "OAuth1Signer")]
#[derive(Debug)]
pub struct OAuth1Signer {
    inner: CoreSigner,
}

#[napi]
impl OAuth1Signer {
    /// A signer for `consumerKey`/`consumerSecret`, optionally with a user token.
    #[napi(constructor)]
    pub fn new(
        consumer_key: String,
        consumer_secret: String,
        token: Option<String>,
        token_secret: Option<String>,
    ) -> Self {
        let mut inner = CoreSigner::new(consumer_key, &consumer_secret);
        if let Some(t) = token {
            inner = inner.with_token(&t, token_secret.as_deref().unwrap_or(""));
        }
        Self { inner }
    }

    /// The `Authorization` header value (fresh nonce and time).
    #[napi]
    pub fn authorization(
        &self,
        env: Env,
        method: String,
        url: String,
        form: Option<HashMap<String, String>>,
    ) -> napi::Result<String> {
        let url = parse_url(&env, &url)?;
        let form: Vec<(&str, &str)> = form
            .as_ref()
            .map(|f| f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
            .unwrap_or_default();
        Ok(sign(&self.inner, &method, &url, &form, None, None))
    }
}
