//! The LinkedIn emulator against shared/platforms.md §2, driven with raw HTTP.

mod lifecycle;
mod oauth;
mod publish;
mod versions;

use std::collections::HashMap;
use std::time::Duration;

use creatorsync_core::Platform;
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind, RunningEmulator};
use reqwest::{Client, RequestBuilder};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const REDIRECT: &str = "http://127.0.0.1:9/li-cb";
const PERSON: &str = "urn:li:person:li-demo-person";

fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn url(emu: &RunningEmulator, path: &str) -> String {
    format!(
        "{}{}",
        emu.endpoints()
            .get(Platform::LinkedIn)
            .api
            .as_str()
            .trim_end_matches('/'),
        path
    )
}

fn enc(urn: &str) -> String {
    url::form_urlencoded::byte_serialize(urn.as_bytes()).collect()
}

/// A /rest/* request with the required headers.
fn rest(b: RequestBuilder, token: &str) -> RequestBuilder {
    b.bearer_auth(token)
        .header("LinkedIn-Version", "202607")
        .header("X-Restli-Protocol-Version", "2.0.0")
}

async fn grant(emu: &RunningEmulator, http: &Client) -> Value {
    grant_with(
        emu,
        http,
        "openid profile w_member_social w_organization_social",
    )
    .await
}

async fn grant_with(emu: &RunningEmulator, http: &Client, scope: &str) -> Value {
    let r = http
        .get(url(emu, "/oauth/v2/authorization"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "cs-test-linkedin"),
            ("redirect_uri", REDIRECT),
            ("state", "li-st"),
            ("scope", scope),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let q: HashMap<_, _> = loc.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "li-st");
    let r = http
        .post(url(emu, "/oauth/v2/accessToken"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &q["code"]),
            ("redirect_uri", REDIRECT),
            ("client_id", "cs-test-linkedin"),
            ("client_secret", "cs-test-linkedin-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn token(emu: &RunningEmulator, http: &Client) -> String {
    grant(emu, http).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn upload_image(
    emu: &RunningEmulator,
    http: &Client,
    at: &str,
    owner: &str,
    bytes: Vec<u8>,
) -> String {
    let r: Value = rest(
        http.post(url(emu, "/rest/images?action=initializeUpload")),
        at,
    )
    .json(&json!({"initializeUploadRequest": {"owner": owner}}))
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let urn = r["value"]["image"].as_str().unwrap().to_owned();
    let st: Value = rest(
        http.get(url(emu, &format!("/rest/images/{}", enc(&urn)))),
        at,
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(st["status"], "WAITING_UPLOAD");
    let put = http
        .put(r["value"]["uploadUrl"].as_str().unwrap())
        .bearer_auth(at)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 201);
    urn
}

async fn create(http: &Client, emu: &RunningEmulator, at: &str, body: Value) -> reqwest::Response {
    rest(http.post(url(emu, "/rest/posts")), at)
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn post(author: &str, text: &str, content: Option<Value>) -> Value {
    let mut v = json!({"author": author, "commentary": text, "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": false});
    if let Some(c) = content {
        v["content"] = c;
    }
    v
}
