//! X OAuth 1.0a: the three-legged flow (request token, authorize, access
//! token) and the signature check every OAuth 1.0a request goes through.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use creatorsync_core::Platform;

use super::{St, X, sign, v1_error};

/// How far `oauth_timestamp` may be from the emulator clock (seconds).
const TIMESTAMP_WINDOW_SECS: i64 = 300;

#[derive(Debug, Clone)]
struct RequestToken {
    secret: String,
    callback: String,
    verifier: Option<String>,
    user: Option<String>,
}

/// OAuth 1.0a tokens and seen nonces.
#[derive(Debug, Default)]
pub(super) struct Store {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    request: HashMap<String, RequestToken>,
    /// access token -> (secret, user id)
    access: HashMap<String, (String, String)>,
    /// (consumer, token, nonce, timestamp) -> timestamp
    nonces: HashMap<(String, String, String, i64), i64>,
}

impl Store {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A request whose signature checked out.
#[derive(Debug)]
pub(super) struct Verified {
    /// All oauth_* parameters.
    pub(super) oauth: HashMap<String, String>,
    /// The user, when signed with an access token.
    pub(super) access_user: Option<String>,
    /// The request token it was signed with, if any.
    pub(super) request_token: Option<String>,
}

fn unauthorized() -> Response {
    v1_error(StatusCode::UNAUTHORIZED, 32, "Could not authenticate you.")
}

/// Verifies an OAuth 1.0a request per RFC 5849 against the base URL the
/// client saw (`Host` header + path).
pub(super) fn verify(
    x: &X,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    header_params: &[(String, String)],
    form: Option<&str>,
) -> Result<Verified, Response> {
    let oauth: HashMap<String, String> = header_params
        .iter()
        .filter(|(k, _)| k.starts_with("oauth_"))
        .cloned()
        .collect();
    let app = x.ctx.config.app(Platform::X);
    if oauth.get("oauth_consumer_key") != app.consumer_key.as_ref()
        || oauth.get("oauth_signature_method").map(String::as_str) != Some("HMAC-SHA1")
    {
        return Err(unauthorized());
    }
    let consumer_secret = app.consumer_secret.unwrap_or_default();
    let token = oauth.get("oauth_token").cloned().unwrap_or_default();
    let (token_secret, access_user, request_token) = if token.is_empty() {
        (String::new(), None, None)
    } else {
        let inner = x.oauth1.lock();
        if let Some((secret, user)) = inner.access.get(&token) {
            (secret.clone(), Some(user.clone()), None)
        } else if let Some(r) = inner.request.get(&token) {
            (r.secret.clone(), None, Some(token.clone()))
        } else {
            return Err(v1_error(
                StatusCode::UNAUTHORIZED,
                89,
                "Invalid or expired token.",
            ));
        }
    };
    let now = x.ctx.clock.unix();
    let ts: i64 = oauth
        .get("oauth_timestamp")
        .and_then(|t| t.parse().ok())
        .ok_or_else(unauthorized)?;
    if ts.abs_diff(now) > TIMESTAMP_WINDOW_SECS.unsigned_abs() {
        return Err(v1_error(
            StatusCode::UNAUTHORIZED,
            135,
            "Timestamp out of bounds.",
        ));
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let host = host.strip_suffix(":80").unwrap_or(&host);
    let base_url = format!("http://{host}{}", uri.path());
    let mut params: Vec<(String, String)> = header_params
        .iter()
        .filter(|(k, _)| k.starts_with("oauth_"))
        .cloned()
        .collect();
    if let Some(q) = uri.query() {
        params.extend(url::form_urlencoded::parse(q.as_bytes()).into_owned());
    }
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if let (true, Some(f)) = (is_form, form) {
        params.extend(url::form_urlencoded::parse(f.as_bytes()).into_owned());
    }
    let base = sign::base_string(method.as_str(), &base_url, &params);
    let expected = sign::sign(&base, &consumer_secret, &token_secret);
    if oauth.get("oauth_signature") != Some(&expected) {
        tracing::debug!(%base, "x oauth1 signature mismatch");
        return Err(unauthorized());
    }
    let nonce = oauth.get("oauth_nonce").cloned().unwrap_or_default();
    {
        let mut inner = x.oauth1.lock();
        inner
            .nonces
            .retain(|_, t| t.abs_diff(now) <= TIMESTAMP_WINDOW_SECS.unsigned_abs());
        let key = (
            oauth.get("oauth_consumer_key").cloned().unwrap_or_default(),
            token,
            nonce,
            ts,
        );
        if inner.nonces.insert(key, ts).is_some() {
            return Err(unauthorized());
        }
    }
    Ok(Verified {
        oauth,
        access_user,
        request_token,
    })
}

fn form_response(pairs: &[(&str, &str)]) -> Response {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    (
        [(header::CONTENT_TYPE, "application/x-www-form-urlencoded")],
        body,
    )
        .into_response()
}

fn signed(
    x: &X,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &str,
) -> Result<Verified, Response> {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let params = sign::parse_header(auth).ok_or_else(unauthorized)?;
    verify(x, method, uri, headers, &params, Some(body))
}

/// `POST /oauth/request_token` (signed with the consumer only).
pub(super) async fn request_token(
    State(x): St,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> Response {
    let v = match signed(&x, &method, &uri, &headers, &body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let callback = v
        .oauth
        .get("oauth_callback")
        .cloned()
        .unwrap_or_else(|| "oob".to_owned());
    let token = crate::tokens::random_token("rq-", 18);
    let secret = crate::tokens::random_token("", 24);
    x.oauth1.lock().request.insert(
        token.clone(),
        RequestToken {
            secret: secret.clone(),
            callback,
            verifier: None,
            user: None,
        },
    );
    form_response(&[
        ("oauth_token", &token),
        ("oauth_token_secret", &secret),
        ("oauth_callback_confirmed", "true"),
    ])
}

/// `GET /oauth/authorize?oauth_token=..`: auto-approves as the login user.
pub(super) async fn authorize(State(x): St, Query(q): Query<HashMap<String, String>>) -> Response {
    let token = q.get("oauth_token").cloned().unwrap_or_default();
    let (user, deny) = x.login_user();
    let verifier = crate::tokens::random_token("", 16);
    let callback = {
        let mut inner = x.oauth1.lock();
        let Some(r) = inner.request.get_mut(&token) else {
            return v1_error(StatusCode::UNAUTHORIZED, 89, "Invalid or expired token.");
        };
        if !deny {
            r.verifier = Some(verifier.clone());
            r.user = Some(user);
        }
        r.callback.clone()
    };
    if callback == "oob" {
        return if deny {
            (StatusCode::FORBIDDEN, "denied").into_response()
        } else {
            verifier.into_response()
        };
    }
    let Ok(mut url) = url::Url::parse(&callback) else {
        return v1_error(StatusCode::BAD_REQUEST, 32, "Could not authenticate you.");
    };
    if deny {
        url.query_pairs_mut().append_pair("denied", &token);
    } else {
        url.query_pairs_mut()
            .append_pair("oauth_token", &token)
            .append_pair("oauth_verifier", &verifier);
    }
    Redirect::to(url.as_str()).into_response()
}

/// `POST /oauth/access_token` (signed with the request token + verifier).
pub(super) async fn access_token(
    State(x): St,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> Response {
    let v = match signed(&x, &method, &uri, &headers, &body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(rt) = v.request_token else {
        return v1_error(StatusCode::UNAUTHORIZED, 89, "Invalid or expired token.");
    };
    let mut given = v.oauth.get("oauth_verifier").cloned();
    for src in [uri.query().unwrap_or(""), body.as_str()] {
        if given.is_none() {
            given = crate::common::form(src).remove("oauth_verifier");
        }
    }
    let user = {
        let mut inner = x.oauth1.lock();
        let ok = inner
            .request
            .get(&rt)
            .is_some_and(|r| r.verifier.is_some() && r.verifier == given);
        if !ok {
            return v1_error(StatusCode::UNAUTHORIZED, 89, "Invalid or expired token.");
        }
        // A request token is exchanged once.
        inner
            .request
            .remove(&rt)
            .and_then(|r| r.user)
            .unwrap_or_default()
    };
    let token = format!("{user}-{}", crate::tokens::random_token("", 18));
    let secret = crate::tokens::random_token("", 24);
    x.oauth1
        .lock()
        .access
        .insert(token.clone(), (secret.clone(), user.clone()));
    let screen_name = x.user(&user).username;
    form_response(&[
        ("oauth_token", &token),
        ("oauth_token_secret", &secret),
        ("user_id", &user),
        ("screen_name", &screen_name),
    ])
}
