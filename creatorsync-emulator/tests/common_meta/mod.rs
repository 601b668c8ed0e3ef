//! Helpers shared by the Facebook and Instagram suites: Facebook Login,
//! appsecret_proof, a loopback media server.
#![allow(dead_code, unreachable_pub)]

use creatorsync_core::Platform;
use creatorsync_emulator::RunningEmulator;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The Meta test app secret.
pub const SECRET: &str = "cs-test-facebook-secret";
/// Redirect URI used by the tests.
pub const REDIRECT: &str = "http://127.0.0.1:9/cb";

/// hex(HMAC-SHA256(secret, token)).
pub fn proof(token: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Hex SHA-256.
pub fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// A client that does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Base URL of the Facebook listener with a version.
pub fn fb(emu: &RunningEmulator) -> String {
    format!("{}v21.0", emu.endpoints().get(Platform::Facebook).api)
}

/// Base URL of the Instagram listener with a version.
pub fn ig(emu: &RunningEmulator) -> String {
    format!("{}v21.0", emu.endpoints().get(Platform::Instagram).api)
}

/// Runs dialog -> code; returns the code.
pub async fn code(emu: &RunningEmulator, http: &reqwest::Client) -> String {
    let r = http
        .get(format!("{}/dialog/oauth", fb(emu)))
        .query(&[
            ("client_id", "cs-test-facebook"),
            ("redirect_uri", REDIRECT),
            ("state", "st-1"),
            (
                "scope",
                "pages_show_list,pages_manage_posts,instagram_content_publish",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = loc.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "st-1");
    q["code"].clone()
}

/// Code -> short-lived user token.
pub async fn short_token(emu: &RunningEmulator, http: &reqwest::Client) -> String {
    let c = code(emu, http).await;
    let v: Value = http
        .get(format!("{}/oauth/access_token", fb(emu)))
        .query(&[
            ("client_id", "cs-test-facebook"),
            ("client_secret", SECRET),
            ("redirect_uri", REDIRECT),
            ("code", c.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

/// Short -> long-lived user token.
pub async fn long_token(emu: &RunningEmulator, http: &reqwest::Client, short: &str) -> String {
    let v: Value = http
        .get(format!("{}/oauth/access_token", fb(emu)))
        .query(&[
            ("grant_type", "fb_exchange_token"),
            ("client_id", "cs-test-facebook"),
            ("client_secret", SECRET),
            ("fb_exchange_token", short),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["expires_in"], 60 * 86400);
    v["access_token"].as_str().unwrap().to_owned()
}

/// GET with token + proof.
pub async fn get(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    q: &[(&str, &str)],
) -> (u16, Value) {
    let p = proof(token);
    let r = http
        .get(url)
        .query(&[("access_token", token), ("appsecret_proof", p.as_str())])
        .query(q)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// POST form with token + proof.
pub async fn post(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let p = proof(token);
    let mut f: Vec<(&str, &str)> = vec![("access_token", token), ("appsecret_proof", p.as_str())];
    f.extend_from_slice(form);
    let r = http.post(url).form(&f).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// Long-lived login; returns (user token, page 1001 token, page 1002 token).
pub async fn login(emu: &RunningEmulator, http: &reqwest::Client) -> (String, String, String) {
    let short = short_token(emu, http).await;
    let long = long_token(emu, http, &short).await;
    let (s, v) = get(
        http,
        &format!("{}/me/accounts", fb(emu)),
        &long,
        &[(
            "fields",
            "id,name,access_token,tasks,instagram_business_account",
        )],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let page = |id: &str| {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    (long, page("1001"), page("1002"))
}

/// Serves `files` (path -> (content type, bytes)) on a loopback port; returns the base URL.
pub async fn media_server(files: Vec<(&'static str, &'static str, Vec<u8>)>) -> String {
    use axum::response::IntoResponse;
    let mut router = axum::Router::new();
    for (path, ct, bytes) in files {
        router = router.route(
            path,
            axum::routing::get(move || {
                let b = bytes.clone();
                async move { ([("content-type", ct)], b).into_response() }
            }),
        );
    }
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(l, router).await;
    });
    format!("http://{addr}")
}

/// A fake JPEG of `n` bytes.
pub fn jpeg(n: usize, seed: u8) -> Vec<u8> {
    let mut v: Vec<u8> = (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect();
    v[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    v
}
