//! Instagram API with Instagram Login with raw HTTP: authorize, code
//! exchange, long-lived exchange, refresh (24 h minimum age), `/me`, and
//! publishing through containers with `video_url` only (no rupload), in
//! the content state Facebook Login sees too; `alt_text` and `trial_params`
//! checked and recorded.

mod common_meta;

use std::time::Duration;

use common_meta::*;
use creatorsync_core::Platform;
use creatorsync_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use serde_json::{Value, json};

const IG: &str = "17841400000000001";
const APP: &str = "cs-test-instagram-login";
const APP_SECRET: &str = "cs-test-instagram-login-secret";

/// The Instagram listener's root (no version).
fn root(emu: &RunningEmulator) -> String {
    emu.endpoints()
        .get(Platform::Instagram)
        .api
        .as_str()
        .trim_end_matches('/')
        .to_owned()
}

async fn json_of(r: reqwest::Response) -> (u16, Value) {
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// Authorize -> code -> short-lived token; returns it.
async fn short_lived(emu: &RunningEmulator, http: &reqwest::Client) -> String {
    let r = http
        .get(format!("{}/oauth/authorize", root(emu)))
        .query(&[
            ("client_id", APP),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("state", "st-ig"),
            (
                "scope",
                "instagram_business_basic,instagram_business_content_publish",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let to = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = to.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "st-ig");
    let code = q["code"].clone();
    let form = |code: &str| {
        vec![
            ("client_id", APP.to_owned()),
            ("client_secret", APP_SECRET.to_owned()),
            ("grant_type", "authorization_code".to_owned()),
            ("redirect_uri", REDIRECT.to_owned()),
            ("code", code.to_owned()),
        ]
    };
    let exchange = format!("{}/oauth/access_token", root(emu));
    let (s, v) = json_of(
        http.post(&exchange)
            .form(&form(&code))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"][0]["user_id"], IG);
    assert!(
        v["data"][0]["permissions"]
            .as_str()
            .unwrap()
            .contains("instagram_business_content_publish")
    );
    // A code works once.
    let (s, _) = json_of(
        http.post(&exchange)
            .form(&form(&code))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 400);
    v["data"][0]["access_token"].as_str().unwrap().to_owned()
}

async fn long_lived(emu: &RunningEmulator, http: &reqwest::Client, short: &str) -> String {
    let url = format!("{}/access_token", root(emu));
    let ask = |secret: &'static str| {
        http.get(&url).query(&[
            ("grant_type", "ig_exchange_token"),
            ("client_secret", secret),
            ("access_token", short),
        ])
    };
    let (s, _) = json_of(ask("wrong").send().await.unwrap()).await;
    assert_eq!(s, 400);
    let (s, v) = json_of(ask(APP_SECRET).send().await.unwrap()).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["expires_in"], 60 * 86_400);
    v["access_token"].as_str().unwrap().to_owned()
}

/// GET with the token only (Instagram Login needs no appsecret_proof).
async fn get(http: &reqwest::Client, url: &str, token: &str, q: &[(&str, &str)]) -> (u16, Value) {
    json_of(
        http.get(url)
            .query(&[("access_token", token)])
            .query(q)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn post(http: &reqwest::Client, url: &str, token: &str, f: &[(&str, &str)]) -> (u16, Value) {
    let mut form = vec![("access_token", token)];
    form.extend_from_slice(f);
    json_of(http.post(url).form(&form).send().await.unwrap()).await
}

#[tokio::test]
async fn login_exchange_refresh_and_me() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    // The Meta app is not the Instagram app.
    let r = http
        .get(format!("{}/oauth/authorize", root(&emu)))
        .query(&[
            ("client_id", "cs-test-facebook"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);

    let short = short_lived(&emu, &http).await;
    let long = long_lived(&emu, &http, &short).await;
    let refresh = format!("{}/refresh_access_token", root(&emu));
    let ask = |token: &str| {
        http.get(&refresh)
            .query(&[("grant_type", "ig_refresh_token"), ("access_token", token)])
            .send()
    };
    // Short-lived tokens are not refreshable; long-lived ones only once
    // they are 24 hours old.
    assert_eq!(json_of(ask(&short).await.unwrap()).await.0, 400);
    let (s, v) = json_of(ask(&long).await.unwrap()).await;
    assert_eq!(s, 400, "{v}");
    emu.clock().advance(Duration::from_secs(25 * 3600));
    let (s, v) = json_of(ask(&long).await.unwrap()).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["expires_in"], 60 * 86_400);
    let fresh = v["access_token"].as_str().unwrap().to_owned();
    assert_ne!(fresh, long);

    // /me with and without a version.
    for base in [root(&emu), format!("{}/v25.0", root(&emu))] {
        let (s, v) = get(
            &http,
            &format!("{base}/me"),
            &fresh,
            &[("fields", "user_id,username")],
        )
        .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(
            (v["user_id"].as_str(), v["username"].as_str()),
            (Some(IG), Some("demo.creator"))
        );
    }
    // A wrong appsecret_proof is refused; none is fine.
    let (s, _) = get(
        &http,
        &format!("{}/me", root(&emu)),
        &fresh,
        &[("appsecret_proof", "00")],
    )
    .await;
    assert_eq!(s, 400);
    // Facebook's Graph host does not take Instagram Login tokens.
    let fb_me = format!("{}/me", emu.endpoints().get(Platform::Facebook).api);
    let (s, _) = get(&http, &fb_me, &fresh, &[]).await;
    assert_ne!(s, 200);
    // Past 60 days the token is dead and cannot be refreshed.
    emu.clock().advance(Duration::from_secs(61 * 86_400));
    assert_ne!(json_of(ask(&fresh).await.unwrap()).await.0, 200);
    let (s, _) = get(&http, &format!("{}/me", root(&emu)), &fresh, &[]).await;
    assert_ne!(s, 200);
}

#[tokio::test]
async fn publishing_by_url_with_alt_text_and_trial_reels() {
    let cfg = EmulatorConfig {
        instagram_refresh_min_age: Duration::ZERO,
        ..EmulatorConfig::default()
    };
    let emu = Emulator::start(cfg).await.unwrap();
    let http = client();
    let short = short_lived(&emu, &http).await;
    let token = long_lived(&emu, &http, &short).await;
    let files = media_server(vec![
        ("/a.jpg", "image/jpeg", jpeg(3000, 1)),
        ("/b.jpg", "image/jpeg", jpeg(2000, 2)),
        ("/v.mp4", "video/mp4", vec![7u8; 10_000]),
    ])
    .await;
    let api = format!("{}/v25.0", root(&emu));
    let media = format!("{api}/{IG}/media");
    let publish = |creation: String| {
        let (http, api, token) = (&http, &api, &token);
        async move {
            post(
                http,
                &format!("{api}/{IG}/media_publish"),
                token,
                &[("creation_id", &creation)],
            )
            .await
        }
    };
    let wait = |id: String| {
        let (http, api, token) = (&http, &api, &token);
        async move {
            for _ in 0..100 {
                let (_, v) = get(
                    http,
                    &format!("{api}/{id}"),
                    token,
                    &[("fields", "status_code")],
                )
                .await;
                if v["status_code"] == "FINISHED" {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            panic!("container {id} never finished");
        }
    };

    // Refused: no resumable upload, alt text off images, bad trial params.
    let video_url = format!("{files}/v.mp4");
    for (form, why) in [
        (
            vec![("media_type", "REELS"), ("upload_type", "resumable")],
            "resumable",
        ),
        (
            vec![
                ("media_type", "REELS"),
                ("video_url", &video_url),
                ("alt_text", "x"),
            ],
            "alt_text",
        ),
        (
            vec![
                ("media_type", "REELS"),
                ("video_url", &video_url),
                ("trial_params", r#"{"graduation_strategy":"SOMETIMES"}"#),
            ],
            "trial_params",
        ),
        (
            vec![
                ("image_url", "http://127.0.0.1:9/x.jpg"),
                ("trial_params", r#"{"graduation_strategy":"MANUAL"}"#),
            ],
            "trial_params",
        ),
    ] {
        let (s, v) = post(&http, &media, &token, &form).await;
        assert_eq!(s, 400, "{form:?}: {v}");
        assert!(v["error"]["message"].as_str().unwrap().contains(why), "{v}");
    }
    // Another account's edge is refused.
    let (s, _) = post(
        &http,
        &format!("{api}/17841400000000999/media"),
        &token,
        &[("image_url", &format!("{files}/a.jpg"))],
    )
    .await;
    assert_eq!(s, 400);

    // An image with alt text.
    let (s, v) = post(
        &http,
        &media,
        &token,
        &[
            ("image_url", &format!("{files}/a.jpg")),
            ("caption", "ig login image"),
            ("alt_text", "a red bicycle"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let c = v["id"].as_str().unwrap().to_owned();
    wait(c.clone()).await;
    let (s, v) = publish(c).await;
    assert_eq!(s, 200, "{v}");
    let rec = emu
        .record()
        .post(Platform::Instagram, v["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(rec.extra["alt_text"], json!(["a red bicycle"]).to_string());

    // A trial reel by video_url.
    let (s, v) = post(
        &http,
        &media,
        &token,
        &[
            ("media_type", "REELS"),
            ("video_url", &video_url),
            ("caption", "ig login reel"),
            (
                "trial_params",
                r#"{"graduation_strategy":"SS_PERFORMANCE"}"#,
            ),
        ],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let c = v["id"].as_str().unwrap().to_owned();
    wait(c.clone()).await;
    let (s, v) = publish(c).await;
    assert_eq!(s, 200, "{v}");
    let rec = emu
        .record()
        .post(Platform::Instagram, v["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(rec.extra["trial_graduation"], "SS_PERFORMANCE");
    assert!(!rec.extra.contains_key("alt_text"));

    // A carousel: alt text per child, in order.
    let mut children = Vec::new();
    for (f, alt) in [("a.jpg", "first"), ("b.jpg", "")] {
        let url = format!("{files}/{f}");
        let mut form = vec![("image_url", url.as_str()), ("is_carousel_item", "true")];
        if !alt.is_empty() {
            form.push(("alt_text", alt));
        }
        let (s, v) = post(&http, &media, &token, &form).await;
        assert_eq!(s, 200, "{v}");
        children.push(v["id"].as_str().unwrap().to_owned());
    }
    let joined = children.join(",");
    let (s, v) = post(
        &http,
        &media,
        &token,
        &[
            ("media_type", "CAROUSEL"),
            ("children", &joined),
            ("caption", "ig login carousel"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = publish(v["id"].as_str().unwrap().to_owned()).await;
    assert_eq!(s, 200, "{v}");
    let rec = emu
        .record()
        .post(Platform::Instagram, v["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(rec.extra["alt_text"], json!(["first", null]).to_string());

    // One content state: the quota and the media list count what Instagram
    // Login published, for Facebook Login's page token too.
    let (s, v) = get(
        &http,
        &format!("{api}/{IG}/content_publishing_limit"),
        &token,
        &[],
    )
    .await;
    assert_eq!((s, v["data"][0]["quota_usage"].clone()), (200, json!(3)));
    let (_, page, _) = login(&emu, &http).await;
    let (s, v) = common_meta::get(
        &http,
        &format!("{}/{IG}/media", common_meta::ig(&emu)),
        &page,
        &[("fields", "caption")],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"].as_array().unwrap().len(), 3);

    // Rupload does not know Instagram Login tokens.
    let r = http
        .post(format!("{}/ig-api-upload/v25.0/123", root(&emu)))
        .header("authorization", format!("OAuth {token}"))
        .header("offset", "0")
        .header("file_size", "10")
        .body(vec![0u8; 10])
        .send()
        .await
        .unwrap();
    assert_ne!(r.status().as_u16(), 200);
}
