//! Error answers of every platform, mapped by its module through the
//! registry: the shapes, the redaction of every message, retry hints.

use std::time::Duration;

use chrono::Utc;
use http::HeaderMap;

use crate::http::platform_error;
use crate::platforms::{PlatformModule, Registry};
use crate::{Error, Platform};

fn map(p: Platform, status: u16, body: &str) -> Error {
    let shape = Registry::standard().get(p).unwrap();
    platform_error(shape, status, &HeaderMap::new(), body.as_bytes())
}

fn shape(p: Platform) -> &'static dyn PlatformModule {
    Registry::standard().get(p).unwrap()
}

#[test]
fn maps_each_platform_shape() {
    assert!(matches!(
        map(
            Platform::X,
            403,
            r#"{"detail":"You are not allowed to create a Tweet with duplicate content.","type":"about:blank","title":"Forbidden","status":403}"#
        ),
        Error::Duplicate { .. }
    ));
    assert!(matches!(
        map(Platform::X, 401, r#"{"title":"Unauthorized","status":401}"#),
        Error::ReauthRequired { .. }
    ));
    assert!(matches!(
        map(
            Platform::LinkedIn,
            401,
            r#"{"status":401,"serviceErrorCode":65602,"code":"EXPIRED_ACCESS_TOKEN","message":"The token used in the request has expired"}"#
        ),
        Error::ReauthRequired { .. }
    ));
    assert!(matches!(
        map(
            Platform::Facebook,
            400,
            r#"{"error":{"message":"Error validating access token","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"x"}}"#
        ),
        Error::ReauthRequired { .. }
    ));
    assert!(matches!(
        map(
            Platform::Instagram,
            400,
            r#"{"error":{"message":"Media download failed","type":"OAuthException","code":9004,"error_subcode":2207052,"fbtrace_id":"x"}}"#
        ),
        Error::MediaRejected { .. }
    ));
    assert!(matches!(
        map(
            Platform::YouTube,
            403,
            r#"{"error":{"code":403,"message":"quota","errors":[{"message":"q","domain":"youtube.quota","reason":"quotaExceeded"}]}}"#
        ),
        Error::QuotaExhausted { ref bucket, .. } if bucket == "units"
    ));
    assert!(matches!(
        map(
            Platform::TikTok,
            401,
            r#"{"data":{},"error":{"code":"access_token_invalid","message":"The access token is invalid","log_id":"1"}}"#
        ),
        Error::ReauthRequired { .. }
    ));
    assert!(matches!(
        map(
            Platform::TikTok,
            400,
            r#"{"error":"invalid_grant","error_description":"refresh token revoked","log_id":"1"}"#
        ),
        Error::ReauthRequired { .. }
    ));
    let e = map(
        Platform::LinkedIn,
        426,
        r#"{"status":426,"code":"NONEXISTENT_VERSION","message":"Requested version 20230101 is not active"}"#,
    );
    assert_eq!(e.status(), Some(426));
}

#[test]
fn messages_and_bodies_are_redacted_on_every_platform() {
    let bodies = [
        // No message field: the message falls back to the body.
        "<html>proxy error for https://me:PASSW0RD@up.example/v?upload_id=SESS10N \
         access_token=T0KEN Authorization: Bearer B3ARER</html>",
        // A message field quoting secrets, in each platform's shape.
        r#"{"detail":"bad access_token=T0KEN","errors":[{"message":"code=C0DE"}]}"#,
        r#"{"message":"refresh_token=T0KEN rejected"}"#,
        r#"{"error":{"message":"https://x.example/cb?code=C0DE#FRAG","code":100}}"#,
        r#"{"error":{"code":"invalid_params","message":"upload_token=T0KEN"}}"#,
        r#"{"error":"invalid_request","error_description":"client_secret=S3CRET"}"#,
    ];
    let secrets = [
        "PASSW0RD", "SESS10N", "T0KEN", "B3ARER", "C0DE", "FRAG", "S3CRET",
    ];
    for platform in Platform::ALL {
        for status in [400, 401, 403, 429, 500] {
            for body in bodies {
                let e = map(platform, status, body);
                let shown = format!("{e} {e:?}");
                for secret in secrets {
                    assert!(
                        !shown.contains(secret),
                        "{platform} {status}: {secret} in {shown}"
                    );
                }
            }
        }
    }
    // Only the secret goes: the rest of the message stays useful.
    let e = map(
        Platform::LinkedIn,
        400,
        "upstream failed: token=abc; retry later",
    );
    assert!(
        e.to_string()
            .contains("upstream failed: token=[redacted]; retry later"),
        "{e}"
    );
}

#[test]
fn retry_after_and_resets() {
    let mut h = HeaderMap::new();
    h.insert("retry-after", "3".parse().unwrap());
    let e = platform_error(
        shape(Platform::TikTok),
        429,
        &h,
        br#"{"error":{"code":"rate_limit_exceeded","message":"slow down"}}"#,
    );
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
    let mut h = HeaderMap::new();
    h.insert(
        "x-business-use-case-usage",
        r#"{"123":[{"type":"pages","call_count":100,"estimated_time_to_regain_access":2}]}"#
            .parse()
            .unwrap(),
    );
    let e = platform_error(
        shape(Platform::Facebook),
        400,
        &h,
        br#"{"error":{"message":"limit","code":32}}"#,
    );
    assert_eq!(e.retry_after(), Some(Duration::from_secs(120)));
    let p = crate::platforms::youtube::next_pacific_midnight(Utc::now());
    assert!(p > Utc::now() && p - Utc::now() <= chrono::Duration::hours(25));
}

#[test]
fn x_daily_budgets_reset_at_their_own_time() {
    let now = Utc::now().timestamp();
    let mut h = HeaderMap::new();
    h.insert(
        "x-rate-limit-reset",
        (now + 600).to_string().parse().unwrap(),
    );
    h.insert("x-app-limit-24hour-remaining", "0".parse().unwrap());
    h.insert(
        "x-app-limit-24hour-reset",
        (now + 20_000).to_string().parse().unwrap(),
    );
    h.insert("x-user-limit-24hour-remaining", "3".parse().unwrap());
    h.insert(
        "x-user-limit-24hour-reset",
        (now + 30_000).to_string().parse().unwrap(),
    );
    let body = br#"{"title":"Too Many Requests","status":429}"#;
    let Error::QuotaExhausted {
        bucket, resets_at, ..
    } = platform_error(shape(Platform::X), 429, &h, body)
    else {
        panic!("quota exhausted expected")
    };
    // The app's spent daily budget decides, not the 15-minute window nor
    // the user's budget that is not spent.
    assert_eq!(bucket, "posts_app_day");
    assert_eq!(resets_at.timestamp(), now + 20_000);
    h.insert("x-app-limit-24hour-remaining", "5".parse().unwrap());
    let Error::RateLimited { reset_at, .. } = platform_error(shape(Platform::X), 429, &h, body)
    else {
        panic!("rate limited expected")
    };
    assert_eq!(reset_at.unwrap().timestamp(), now + 600);
}
