//! OAuth 2.0 plumbing: the `oauth2` crate's async HTTP client implemented
//! over our [`HttpClient`] (so retries, tracing, endpoint overrides and
//! error mapping apply), the token-grant type every platform's answer is
//! normalised into, and the small explicit token request used where a
//! platform deviates from RFC 6749.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use oauth2::{HttpRequest, HttpResponse, RequestTokenError, TokenResponse as _};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::apps::split_scopes;
use crate::http::{ErrorShape, Idempotency, decode_json, platform_error, transport_error};
use crate::{Credential, Error, HttpClient, Platform, Result, Secret};

/// The `oauth2` crate's HTTP client, backed by [`HttpClient`].
#[derive(Clone, Copy)]
pub(crate) struct OAuth2Http<'a> {
    pub(crate) http: &'a HttpClient,
    pub(crate) shape: &'a dyn ErrorShape,
    pub(crate) op: &'static str,
}

impl<'c> oauth2::AsyncHttpClient<'c> for OAuth2Http<'_> {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let url = Url::parse(&parts.uri.to_string()).map_err(|e| {
                Error::Config(format!("{}: bad OAuth URL: {e}", self.shape.platform()))
            })?;
            // Token and revoke calls are safe to repeat on 5xx/timeouts: a
            // code or refresh token either worked once or is refused.
            let resp = self
                .http
                .send(self.shape, self.op, Idempotency::Idempotent, |c| {
                    c.request(parts.method.clone(), url.clone())
                        .headers(parts.headers.clone())
                        .body(body.clone())
                })
                .await?;
            let status = resp.status();
            let headers = resp.headers().clone();
            let bytes = resp
                .bytes()
                .await
                .map_err(|e| transport_error(self.shape.platform(), e))?;
            let mut out = http::Response::new(bytes.to_vec());
            *out.status_mut() = status;
            *out.headers_mut() = headers;
            Ok(out)
        })
    }
}

/// Maps an `oauth2` crate failure back into our [`Error`].
pub(crate) fn from_oauth2_error<RE>(
    shape: &dyn ErrorShape,
    e: RequestTokenError<Error, RE>,
) -> Error
where
    RE: oauth2::ErrorResponse + 'static,
{
    let platform = shape.platform();
    match e {
        RequestTokenError::Request(err) => err,
        RequestTokenError::ServerResponse(r) => {
            let body = serde_json::to_vec(&r).unwrap_or_default();
            platform_error(shape, 400, &http::HeaderMap::new(), &body)
        }
        RequestTokenError::Parse(err, body) => Error::unexpected_response(
            platform,
            None,
            &format!("could not decode the token response: {err}"),
            Some(&String::from_utf8_lossy(&body)),
        ),
        RequestTokenError::Other(msg) => Error::unexpected_response(platform, None, &msg, None),
    }
}

/// A token answer from any platform, normalised.
#[derive(Debug, Clone)]
pub(crate) struct TokenGrant {
    pub(crate) access: Secret<String>,
    pub(crate) refresh: Option<Secret<String>>,
    pub(crate) expires_in: Option<i64>,
    pub(crate) refresh_expires_in: Option<i64>,
    pub(crate) scopes: Vec<String>,
    /// TikTok's `open_id`.
    pub(crate) open_id: Option<String>,
}

impl TokenGrant {
    /// The one place a token answer becomes a grant, for every platform,
    /// exchange and refresh alike: a missing or blank `access_token` is the
    /// platform answering nonsense (a typed error; nothing is stored), and
    /// a blank `refresh_token` counts as absent, so it can never replace a
    /// stored refresh token (see [`TokenGrant::into_credential`]).
    /// `raw` is the answer for the error's redacted body.
    pub(crate) fn new(
        platform: Platform,
        access: Option<String>,
        refresh: Option<String>,
        raw: impl FnOnce() -> String,
    ) -> Result<Self> {
        let access = access.filter(|a| !a.trim().is_empty()).ok_or_else(|| {
            Error::unexpected_response(
                platform,
                None,
                "the token response has no access_token",
                Some(&raw()),
            )
        })?;
        Ok(Self {
            access: Secret::new(access),
            refresh: refresh.filter(|r| !r.trim().is_empty()).map(Secret::new),
            expires_in: None,
            refresh_expires_in: None,
            scopes: Vec::new(),
            open_id: None,
        })
    }

    /// From the `oauth2` crate's standard response (X, Google).
    pub(crate) fn from_basic(
        platform: Platform,
        r: &oauth2::basic::BasicTokenResponse,
    ) -> Result<Self> {
        let grant = Self::new(
            platform,
            Some(r.access_token().secret().clone()),
            r.refresh_token().map(|t| t.secret().clone()),
            || serde_json::to_string(r).unwrap_or_default(),
        )?;
        Ok(Self {
            expires_in: r
                .expires_in()
                .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
            scopes: r
                .scopes()
                .map(|s| s.iter().flat_map(|x| split_scopes(x)).collect())
                .unwrap_or_default(),
            ..grant
        })
    }

    /// The credential for this grant. `previous` supplies what a refresh
    /// answer leaves out: a missing refresh token never erases the stored
    /// one ([`keep_stored_refresh`]), missing scopes keep the granted ones.
    pub(crate) fn into_credential(
        self,
        now: DateTime<Utc>,
        previous: Option<&Credential>,
    ) -> Credential {
        // At most ten years ahead: a platform's huge or negative lifetime
        // can neither overflow the date nor expire a token in the past.
        let at = |s: i64| now + chrono::Duration::seconds(s.clamp(0, 10 * 365 * 86_400));
        let mut credential = Credential::OAuth2 {
            access: self.access,
            refresh: self.refresh,
            expires_at: self.expires_in.map(at),
            refresh_expires_at: self.refresh_expires_in.map(at),
            scopes: self.scopes,
            user_token: None,
        };
        if let Some(previous) = previous {
            keep_stored_refresh(&mut credential, previous);
            if let (
                Credential::OAuth2 { scopes, .. },
                Credential::OAuth2 {
                    scopes: granted, ..
                },
            ) = (&mut credential, previous)
                && scopes.is_empty()
            {
                scopes.clone_from(granted);
            }
        }
        credential
    }
}

/// Makes `new`, about to replace `stored`, keep the stored refresh token
/// (and its expiry, unless the answer gave one) when `new` has none of its
/// own: a token answer without a refresh token (Google's refresh, an
/// exchange that did not repeat it, a blank one filtered by
/// [`TokenGrant::new`]) never erases a stored refresh token. Used by every
/// path that writes a grant over a stored row: refresh and reconnect.
pub(crate) fn keep_stored_refresh(new: &mut Credential, stored: &Credential) {
    if let (
        Credential::OAuth2 {
            refresh: refresh @ None,
            refresh_expires_at,
            ..
        },
        Credential::OAuth2 {
            refresh: Some(old),
            refresh_expires_at: old_exp,
            ..
        },
    ) = (new, stored)
    {
        *refresh = Some(old.clone());
        *refresh_expires_at = refresh_expires_at.or(*old_exp);
    }
}

/// A token answer as LinkedIn, TikTok and Meta send it.
#[derive(Deserialize)]
struct RawToken {
    access_token: Option<String>,
    refresh_token: Option<String>,
    expires_in: Option<Value>,
    refresh_expires_in: Option<Value>,
    refresh_token_expires_in: Option<Value>,
    scope: Option<String>,
    open_id: Option<String>,
}

fn num(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The HTTP method of an explicit token request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenMethod {
    /// `POST` with an `application/x-www-form-urlencoded` body.
    PostForm,
    /// `GET` with the parameters in the query (Meta).
    Get,
}

/// An explicit token request, for platforms whose token endpoint is not
/// RFC 6749 enough for the `oauth2` crate (TikTok's `client_key`, Meta's
/// GET exchange, LinkedIn's answer without `token_type`).
pub(crate) async fn token_request(
    http: &HttpClient,
    shape: &dyn ErrorShape,
    op: &'static str,
    method: TokenMethod,
    url: Url,
    params: &[(&str, &str)],
) -> Result<TokenGrant> {
    let platform = shape.platform();
    let resp = http
        .send(shape, op, Idempotency::Idempotent, |c| match method {
            TokenMethod::PostForm => c.post(url.clone()).form(params),
            TokenMethod::Get => c.get(url.clone()).query(params),
        })
        .await?;
    let v: Value = decode_json(platform, resp).await?;
    // TikTok may answer 200 with an error body.
    if v.get("error").and_then(Value::as_str).is_some() {
        let body = serde_json::to_vec(&v).unwrap_or_default();
        return Err(platform_error(shape, 400, &http::HeaderMap::new(), &body));
    }
    let raw: RawToken = serde_json::from_value(v.clone()).map_err(|e| {
        Error::unexpected_response(
            platform,
            None,
            &format!("could not decode the token response: {e}"),
            Some(&v.to_string()),
        )
    })?;
    let grant = TokenGrant::new(platform, raw.access_token, raw.refresh_token, || {
        v.to_string()
    })?;
    Ok(TokenGrant {
        expires_in: num(raw.expires_in.as_ref()),
        refresh_expires_in: num(raw.refresh_expires_in.as_ref())
            .or_else(|| num(raw.refresh_token_expires_in.as_ref())),
        scopes: raw.scope.as_deref().map(split_scopes).unwrap_or_default(),
        open_id: raw.open_id,
        ..grant
    })
}

/// Whether a failed refresh means the grant is dead (as opposed to a
/// transient failure): `invalid_grant`/`invalid_token` (already mapped to
/// [`Error::ReauthRequired`]), or X's `invalid_request` "Value passed for
/// the token was invalid" for a spent rotating refresh token.
pub(crate) fn grant_is_dead(e: &Error) -> bool {
    match e {
        Error::ReauthRequired { .. } => true,
        Error::Platform { status, code, .. } => {
            matches!(*status, 400 | 401)
                && matches!(
                    code.as_deref(),
                    Some("invalid_request" | "invalid_grant" | "invalid_token")
                )
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(json: &str) -> oauth2::basic::BasicTokenResponse {
        serde_json::from_str(json).unwrap()
    }

    /// Both answer shapes (the `oauth2` crate's for X and Google, the raw
    /// one for LinkedIn, TikTok and Meta) go through `TokenGrant::new`: a
    /// blank refresh token is absent, a blank access token is an error.
    #[test]
    fn blank_tokens_never_become_a_grant() {
        for p in [Platform::X, Platform::YouTube] {
            let g = TokenGrant::from_basic(
                p,
                &basic(r#"{"access_token":"a2","token_type":"bearer","refresh_token":""}"#),
            )
            .unwrap();
            assert!(g.refresh.is_none(), "{p}: a blank refresh token is absent");
            let g = TokenGrant::from_basic(
                p,
                &basic(r#"{"access_token":"a2","token_type":"bearer","refresh_token":" "}"#),
            )
            .unwrap();
            assert!(g.refresh.is_none(), "{p}: a blank refresh token is absent");
            for access in ["", "  "] {
                let json = format!(
                    r#"{{"access_token":"{access}","token_type":"bearer","refresh_token":"r-new-s3cr3t"}}"#
                );
                let e = TokenGrant::from_basic(p, &basic(&json)).unwrap_err();
                assert!(
                    matches!(&e, Error::UnexpectedResponse { status: None, .. }),
                    "{p}: {e:?}"
                );
                assert!(!format!("{e:?}").contains("r-new-s3cr3t"), "{e:?}");
            }
        }
        let e =
            TokenGrant::new(Platform::TikTok, Some(String::new()), None, String::new).unwrap_err();
        assert_eq!(e.code(), "UNEXPECTED_RESPONSE");
        let g = TokenGrant::new(
            Platform::TikTok,
            Some("a".into()),
            Some(String::new()),
            String::new,
        )
        .unwrap();
        assert!(g.refresh.is_none());
    }

    #[test]
    fn a_grant_without_refresh_token_keeps_the_stored_one() {
        let now = Utc::now();
        let exp = now + chrono::Duration::days(300);
        let stored = Credential::OAuth2 {
            access: Secret::from("a1"),
            refresh: Some(Secret::from("r1")),
            expires_at: Some(now),
            refresh_expires_at: Some(exp),
            scopes: vec!["s".into()],
            user_token: None,
        };
        let g = TokenGrant::from_basic(
            Platform::X,
            &basic(r#"{"access_token":"a2","token_type":"bearer","refresh_token":""}"#),
        )
        .unwrap();
        let mut fresh = g.into_credential(now, None);
        keep_stored_refresh(&mut fresh, &stored);
        let Credential::OAuth2 {
            access,
            refresh,
            refresh_expires_at,
            ..
        } = fresh
        else {
            panic!("oauth2 expected")
        };
        assert_eq!(access.expose(), "a2");
        assert_eq!(refresh.unwrap().expose(), "r1");
        assert_eq!(refresh_expires_at, Some(exp));
        // A new refresh token replaces the stored one.
        let g = TokenGrant::new(
            Platform::X,
            Some("a3".into()),
            Some("r3".into()),
            String::new,
        )
        .unwrap();
        let Credential::OAuth2 { refresh, .. } = g.into_credential(now, Some(&stored)) else {
            panic!("oauth2 expected")
        };
        assert_eq!(refresh.unwrap().expose(), "r3");
    }

    #[test]
    fn refresh_without_refresh_token_keeps_the_old_one() {
        let now = Utc::now();
        let old = Credential::OAuth2 {
            access: Secret::from("a1"),
            refresh: Some(Secret::from("r1")),
            expires_at: Some(now),
            refresh_expires_at: None,
            scopes: vec!["s".into()],
            user_token: None,
        };
        let g = TokenGrant {
            access: Secret::from("a2"),
            refresh: None,
            expires_in: Some(3599),
            refresh_expires_in: None,
            scopes: vec![],
            open_id: None,
        };
        let Credential::OAuth2 {
            access,
            refresh,
            scopes,
            expires_at,
            ..
        } = g.into_credential(now, Some(&old))
        else {
            panic!("oauth2 expected")
        };
        assert_eq!(access.expose(), "a2");
        assert_eq!(refresh.unwrap().expose(), "r1");
        assert_eq!(scopes, vec!["s"]);
        assert!(expires_at.unwrap() > now);
        assert!(grant_is_dead(&Error::Platform {
            platform: Platform::X,
            status: 400,
            code: Some("invalid_request".into()),
            message: String::new(),
            body: None
        }));
        assert!(!grant_is_dead(&Error::Platform {
            platform: Platform::X,
            status: 503,
            code: None,
            message: String::new(),
            body: None
        }));
    }
}
