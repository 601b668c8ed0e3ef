//! The X emulator against shared/platforms.md §1, driven with raw HTTP.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use creatorsync_core::Platform;
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind, RunningEmulator};
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Client;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const REDIRECT: &str = "http://127.0.0.1:9/cb";

fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn url(emu: &RunningEmulator, path: &str) -> String {
    format!(
        "{}{}",
        emu.endpoints().x.api.as_str().trim_end_matches('/'),
        path
    )
}

async fn authorize(emu: &RunningEmulator, http: &Client, scope: &str) -> String {
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()));
    let r = http
        .get(url(emu, "/i/oauth2/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "cs-test-x"),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("state", "st-1"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = loc.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "st-1");
    q["code"].clone()
}

async fn exchange(
    emu: &RunningEmulator,
    http: &Client,
    code: &str,
    verifier: &str,
) -> reqwest::Response {
    http.post(url(emu, "/2/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
            ("client_id", "cs-test-x"),
        ])
        .send()
        .await
        .unwrap()
}

async fn token(emu: &RunningEmulator, http: &Client) -> String {
    let code = authorize(
        emu,
        http,
        "tweet.read tweet.write users.read offline.access media.write",
    )
    .await;
    let v: Value = exchange(emu, http, &code, VERIFIER)
        .await
        .json()
        .await
        .unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn oauth2_pkce_rotation_revoke_and_expiry() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let scope = "tweet.read tweet.write users.read offline.access media.write";
    // Wrong verifier, then the code is spent.
    let code = authorize(&emu, &http, scope).await;
    assert_eq!(
        exchange(&emu, &http, &code, "wrong-verifier")
            .await
            .status(),
        400
    );
    assert_eq!(exchange(&emu, &http, &code, VERIFIER).await.status(), 400);
    // Missing code_challenge is refused.
    let r = http
        .get(url(&emu, "/i/oauth2/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "cs-test-x"),
            ("redirect_uri", REDIRECT),
            ("state", "s"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    let code = authorize(&emu, &http, scope).await;
    let t: Value = exchange(&emu, &http, &code, VERIFIER)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(t["token_type"], "bearer");
    assert_eq!(t["expires_in"], 7200);
    assert_eq!(t["scope"], scope);
    let at = t["access_token"].as_str().unwrap();
    let rt = t["refresh_token"].as_str().unwrap();
    let me: Value = http
        .get(url(&emu, "/2/users/me"))
        .bearer_auth(at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["id"], "2244994945");
    assert_eq!(me["data"]["username"], "creatorsync_demo");

    // Confidential client refresh (HTTP Basic) rotates; the old token is dead.
    let basic = format!("Basic {}", STANDARD.encode("cs-test-x:cs-test-x-secret"));
    let r = http
        .post(url(&emu, "/2/oauth2/token"))
        .header("authorization", &basic)
        .form(&[("grant_type", "refresh_token"), ("refresh_token", rt)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let t2: Value = r.json().await.unwrap();
    let rt2 = t2["refresh_token"].as_str().unwrap();
    assert_ne!(rt2, rt);
    let r = http
        .post(url(&emu, "/2/oauth2/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", "cs-test-x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert_eq!(
        e,
        json!({"error": "invalid_request", "error_description": "Value passed for the token was invalid."})
    );
    assert_eq!(emu.tokens().refresh_count(Platform::X), 1);
    // Wrong secret.
    let r = http
        .post(url(&emu, "/2/oauth2/token"))
        .header(
            "authorization",
            format!("Basic {}", STANDARD.encode("cs-test-x:nope")),
        )
        .form(&[("grant_type", "refresh_token"), ("refresh_token", rt2)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // No offline.access: no refresh token.
    let code = authorize(&emu, &http, "tweet.read users.read").await;
    let t3: Value = exchange(&emu, &http, &code, VERIFIER)
        .await
        .json()
        .await
        .unwrap();
    assert!(t3.get("refresh_token").is_none());

    // Revoke, then the token is refused with the RFC 7807 401.
    let at2 = t2["access_token"].as_str().unwrap();
    let r: Value = http
        .post(url(&emu, "/2/oauth2/revoke"))
        .form(&[
            ("token", at2),
            ("token_type_hint", "access_token"),
            ("client_id", "cs-test-x"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r, json!({"revoked": true}));
    let r = http
        .get(url(&emu, "/2/users/me"))
        .bearer_auth(at2)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["title"], "Unauthorized");

    // Expiry after two hours on the emulator clock.
    let at3 = t3["access_token"].as_str().unwrap();
    let r = http
        .get(url(&emu, "/2/users/me"))
        .bearer_auth(at3)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-rate-limit-remaining"));
    emu.clock().advance(Duration::from_secs(7201));
    let r = http
        .get(url(&emu, "/2/users/me"))
        .bearer_auth(at3)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // Denied consent.
    emu.logins().set(Platform::X, None, true);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()));
    let r = http
        .get(url(&emu, "/i/oauth2/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "cs-test-x"),
            ("redirect_uri", REDIRECT),
            ("state", "s9"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        loc.contains("error=access_denied") && loc.contains("state=s9"),
        "{loc}"
    );
    emu.shutdown().await;
}

// ---------- OAuth 1.0a: an independent RFC 5849 signer ----------

const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn pct(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

struct Signer {
    token: String,
    token_secret: String,
}

impl Signer {
    /// The Authorization header for `method url` with `extra` (query/form) params.
    fn header(
        &self,
        method: &str,
        url: &str,
        extra: &[(&str, &str)],
        oauth_extra: &[(&str, &str)],
        ts: i64,
        nonce: &str,
    ) -> String {
        let ts = ts.to_string();
        let mut oauth: Vec<(String, String)> = vec![
            ("oauth_consumer_key".into(), "cs-test-x-consumer".into()),
            ("oauth_nonce".into(), nonce.into()),
            ("oauth_signature_method".into(), "HMAC-SHA1".into()),
            ("oauth_timestamp".into(), ts),
            ("oauth_version".into(), "1.0".into()),
        ];
        if !self.token.is_empty() {
            oauth.push(("oauth_token".into(), self.token.clone()));
        }
        oauth.extend(
            oauth_extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let parsed = url::Url::parse(url).unwrap();
        let base_url = format!(
            "{}://{}{}",
            parsed.scheme(),
            parsed.host_str().unwrap(),
            parsed.port().map(|p| format!(":{p}")).unwrap_or_default()
        ) + parsed.path();
        let mut all: Vec<(String, String)> = oauth.iter().map(|(k, v)| (pct(k), pct(v))).collect();
        all.extend(parsed.query_pairs().map(|(k, v)| (pct(&k), pct(&v))));
        all.extend(extra.iter().map(|(k, v)| (pct(k), pct(v))));
        all.sort();
        let params = all
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let base = format!("{method}&{}&{}", pct(&base_url), pct(&params));
        let key = format!(
            "{}&{}",
            pct("cs-test-x-consumer-secret"),
            pct(&self.token_secret)
        );
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()).unwrap();
        mac.update(base.as_bytes());
        oauth.push((
            "oauth_signature".into(),
            STANDARD.encode(mac.finalize().into_bytes()),
        ));
        let fields = oauth
            .iter()
            .map(|(k, v)| format!("{}=\"{}\"", pct(k), pct(v)))
            .collect::<Vec<_>>()
            .join(", ");
        format!("OAuth {fields}")
    }
}

fn form_map(s: &str) -> std::collections::HashMap<String, String> {
    url::form_urlencoded::parse(s.as_bytes())
        .into_owned()
        .collect()
}

#[tokio::test]
async fn oauth1_three_legged_and_signature_checks() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let now = emu.clock().unix();
    let consumer = Signer {
        token: String::new(),
        token_secret: String::new(),
    };
    let u = url(&emu, "/oauth/request_token");
    let h = consumer.header("POST", &u, &[], &[("oauth_callback", REDIRECT)], now, "n1");
    let r = http
        .post(&u)
        .header("authorization", h)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let rt = form_map(&r.text().await.unwrap());
    assert_eq!(rt["oauth_callback_confirmed"], "true");

    let r = http
        .get(url(&emu, "/oauth/authorize"))
        .query(&[("oauth_token", &rt["oauth_token"])])
        .send()
        .await
        .unwrap();
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = loc.query_pairs().into_owned().collect();
    assert_eq!(q["oauth_token"], rt["oauth_token"]);

    let req = Signer {
        token: rt["oauth_token"].clone(),
        token_secret: rt["oauth_token_secret"].clone(),
    };
    let u = url(&emu, "/oauth/access_token");
    let h = req.header(
        "POST",
        &u,
        &[],
        &[("oauth_verifier", &q["oauth_verifier"])],
        now,
        "n2",
    );
    let r = http
        .post(&u)
        .header("authorization", h)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let acc = form_map(&r.text().await.unwrap());
    assert_eq!(acc["user_id"], "2244994945");
    assert_eq!(acc["screen_name"], "creatorsync_demo");
    let user = Signer {
        token: acc["oauth_token"].clone(),
        token_secret: acc["oauth_token_secret"].clone(),
    };

    // A signed call with a query string.
    let u = url(&emu, "/2/users/me?user.fields=id");
    let h = user.header("GET", &u, &[], &[], now, "n3");
    let r = http
        .get(&u)
        .header("authorization", &h)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Replayed nonce.
    let r = http
        .get(&u)
        .header("authorization", &h)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"errors": [{"code": 32, "message": "Could not authenticate you."}]})
    );
    // Wrong signature (query changed after signing).
    let r = http
        .get(format!("{u}x"))
        .header("authorization", user.header("GET", &u, &[], &[], now, "n4"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Stale timestamp.
    let r = http
        .get(&u)
        .header(
            "authorization",
            user.header("GET", &u, &[], &[], now - 1000, "n5"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["code"], 135);
    // Unknown token.
    let ghost = Signer {
        token: "123-nope".into(),
        token_secret: "s".into(),
    };
    let r = http
        .get(&u)
        .header(
            "authorization",
            ghost.header("GET", &u, &[], &[], now, "n6"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["code"], 89);
    // JSON bodies are not signed: POST /2/tweets with OAuth 1.0a.
    let u = url(&emu, "/2/tweets");
    let r = http
        .post(&u)
        .header(
            "authorization",
            user.header("POST", &u, &[], &[], now, "n7"),
        )
        .json(&json!({"text": "signed hello"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // Form bodies are signed: the request token endpoint with a form param.
    let u = url(&emu, "/oauth/request_token");
    let h = consumer.header(
        "POST",
        &u,
        &[("x_auth_access_type", "write")],
        &[("oauth_callback", "oob")],
        now,
        "n8",
    );
    let r = http
        .post(&u)
        .header("authorization", &h)
        .form(&[("x_auth_access_type", "write")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = consumer.header(
        "POST",
        &u,
        &[("x_auth_access_type", "write")],
        &[("oauth_callback", "oob")],
        now,
        "n9",
    );
    let r = http
        .post(&u)
        .header("authorization", &h)
        .form(&[("x_auth_access_type", "read")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    emu.shutdown().await;
}

// ---------- media + posts ----------

async fn init(
    emu: &RunningEmulator,
    http: &Client,
    at: &str,
    total: usize,
    category: &str,
    mime: &str,
) -> String {
    let r = http
        .post(url(emu, "/2/media/upload/initialize"))
        .bearer_auth(at)
        .json(&json!({"media_type": mime, "total_bytes": total, "media_category": category}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(v["data"]["expires_after_secs"].is_u64());
    v["data"]["id"].as_str().unwrap().to_owned()
}

async fn append(
    emu: &RunningEmulator,
    http: &Client,
    at: &str,
    id: &str,
    index: u32,
    bytes: Vec<u8>,
) -> Result<reqwest::Response, reqwest::Error> {
    let form = reqwest::multipart::Form::new()
        .text("segment_index", index.to_string())
        .part("media", reqwest::multipart::Part::bytes(bytes));
    http.post(url(emu, &format!("/2/media/upload/{id}/append")))
        .bearer_auth(at)
        .multipart(form)
        .send()
        .await
}

async fn status(emu: &RunningEmulator, http: &Client, at: &str, id: &str) -> Value {
    http.get(url(emu, "/2/media/upload"))
        .query(&[("command", "STATUS"), ("media_id", id)])
        .bearer_auth(at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn chunked_video_processing_and_post_lifecycle() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let at = token(&emu, &http).await;
    let file: Vec<u8> = (0..2_500_000u32).map(|i| (i % 251) as u8).collect();
    let id = init(&emu, &http, &at, file.len(), "tweet_video", "video/mp4").await;
    for (i, chunk) in file.chunks(1_000_000).enumerate() {
        let r = append(&emu, &http, &at, &id, i as u32, chunk.to_vec())
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }
    let chunks = emu.record().chunks(&id);
    assert_eq!(
        chunks.iter().map(|c| c.offset).collect::<Vec<_>>(),
        vec![0, 1_000_000, 2_000_000]
    );
    let r: Value = http
        .post(url(&emu, &format!("/2/media/upload/{id}/finalize")))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["data"]["processing_info"]["state"], "pending");
    assert_eq!(r["data"]["size"], file.len());
    // Not usable before processing succeeds.
    let r = http
        .post(url(&emu, "/2/tweets"))
        .bearer_auth(&at)
        .json(&json!({"text": "early", "media": {"media_ids": [id]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    emu.clock().advance(Duration::from_secs(2));
    assert_eq!(
        status(&emu, &http, &at, &id).await["data"]["processing_info"]["state"],
        "succeeded"
    );

    let r = http
        .post(url(&emu, "/2/tweets"))
        .bearer_auth(&at)
        .json(&json!({"text": "hello video", "media": {"media_ids": [id]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert!(r.headers().contains_key("x-rate-limit-reset"));
    assert_eq!(r.headers()["x-rate-limit-limit"], "100");
    let v: Value = r.json().await.unwrap();
    let tid = v["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(v["data"]["edit_history_tweet_ids"], json!([tid]));
    let post = emu.record().post(Platform::X, &tid).unwrap();
    assert_eq!(
        post.url,
        format!("https://x.com/creatorsync_demo/status/{tid}")
    );
    assert_eq!(post.media[0].sha256, hex::encode(Sha256::digest(&file)));
    assert_eq!(post.media[0].len, file.len() as u64);

    // Duplicate text within 24 h.
    let r = http
        .post(url(&emu, "/2/tweets"))
        .bearer_auth(&at)
        .json(&json!({"text": "hello video"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.unwrap()["detail"],
        "You are not allowed to create a Tweet with duplicate content."
    );
    // Reply.
    let r = http
        .post(url(&emu, "/2/tweets"))
        .bearer_auth(&at)
        .json(&json!({"text": "a reply", "reply": {"in_reply_to_tweet_id": tid}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    let g: Value = http
        .get(url(&emu, &format!("/2/tweets/{tid}")))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(g["data"]["author_id"], "2244994945");
    assert_eq!(g["data"]["text"], "hello video");
    let tl: Value = http
        .get(url(&emu, "/2/users/2244994945/tweets?max_results=5"))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tl["data"][0]["text"], "a reply");
    assert_eq!(tl["data"][1]["id"], tid.as_str());
    let d: Value = http
        .delete(url(&emu, &format!("/2/tweets/{tid}")))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d, json!({"data": {"deleted": true}}));
    let g: Value = http
        .get(url(&emu, &format!("/2/tweets/{tid}")))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(g["errors"][0]["title"], "Not Found Error");

    // Images need no processing.
    let img = init(&emu, &http, &at, 10, "tweet_image", "image/png").await;
    append(&emu, &http, &at, &img, 0, vec![7u8; 10])
        .await
        .unwrap();
    let r: Value = http
        .post(url(&emu, &format!("/2/media/upload/{img}/finalize")))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(r["data"].get("processing_info").is_none());
    let r = http
        .post(url(&emu, "/2/media/metadata"))
        .bearer_auth(&at)
        .json(&json!({"id": img, "metadata": {"alt_text": {"text": "a cat"}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .post(url(&emu, "/2/tweets"))
        .bearer_auth(&at)
        .json(&json!({"text": "img", "media": {"media_ids": [img]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    emu.shutdown().await;
}

#[tokio::test]
async fn chunk_rules_faults_and_failed_processing() {
    let cfg = EmulatorConfig {
        x_max_append_bytes: 2_000_000,
        ..EmulatorConfig::default()
    };
    let emu = Emulator::start(cfg).await.unwrap();
    let http = client();
    let at = token(&emu, &http).await;
    let id = init(&emu, &http, &at, 3_000_000, "tweet_video", "video/mp4").await;
    // Over the configured limit.
    let r = append(&emu, &http, &at, &id, 0, vec![1u8; 2_000_001])
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // segment_index out of range.
    let r = append(&emu, &http, &at, &id, 1000, vec![1u8; 10])
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = append(&emu, &http, &at, &id, 0, vec![1u8; 1_500_000])
        .await
        .unwrap();
    assert!(r.status().is_success());
    // Finalize with missing bytes.
    let r = http
        .post(url(&emu, &format!("/2/media/upload/{id}/finalize")))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Connection reset mid-chunk: recorded incomplete, offset unchanged.
    emu.faults().inject(
        Platform::X,
        Fault::once(FaultKind::ResetAfterBytes { bytes: 300_000 }).on_path("/append"),
    );
    assert!(
        append(&emu, &http, &at, &id, 1, vec![2u8; 1_500_000])
            .await
            .is_err()
    );
    let r = append(&emu, &http, &at, &id, 1, vec![2u8; 1_500_000])
        .await
        .unwrap();
    assert!(r.status().is_success());
    let chunks = emu.record().chunks(&id);
    let last_two: Vec<_> = chunks.iter().rev().take(2).collect();
    assert!(
        last_two[0].complete && last_two[0].offset == 1_500_000 && last_two[0].len == 1_500_000
    );
    assert!(
        !last_two[1].complete && last_two[1].offset == 1_500_000 && last_two[1].len < 1_500_000
    );
    emu.faults()
        .inject(Platform::X, Fault::once(FaultKind::FailProcessing));
    let r: Value = http
        .post(url(&emu, &format!("/2/media/upload/{id}/finalize")))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["data"]["processing_info"]["state"], "pending");
    emu.clock().advance(Duration::from_secs(2));
    let s = status(&emu, &http, &at, &id).await;
    assert_eq!(s["data"]["processing_info"]["state"], "failed");
    assert_eq!(
        s["data"]["processing_info"]["error"]["name"],
        "InvalidMedia"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn lost_create_response_and_rate_limit() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let at = token(&emu, &http).await;
    emu.faults().inject(
        Platform::X,
        Fault::once(FaultKind::LoseResponse).on_path("/2/tweets"),
    );
    let r = http
        .post(url(&emu, "/2/tweets"))
        .bearer_auth(&at)
        .json(&json!({"text": "lost"}))
        .send()
        .await;
    assert!(r.is_err());
    // The SDK reconciles through the timeline: the post exists exactly once.
    let tl: Value = http
        .get(url(&emu, "/2/users/2244994945/tweets?max_results=5"))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tl["meta"]["result_count"], 1);
    assert_eq!(tl["data"][0]["text"], "lost");
    for i in 1..100 {
        let r = http
            .post(url(&emu, "/2/tweets"))
            .bearer_auth(&at)
            .json(&json!({"text": format!("n{i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "post {i}");
    }
    let r = http
        .post(url(&emu, "/2/tweets"))
        .bearer_auth(&at)
        .json(&json!({"text": "too many"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["x-rate-limit-remaining"], "0");
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v,
        json!({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429})
    );
    emu.clock().advance(Duration::from_secs(901));
    let r = http
        .post(url(&emu, "/2/tweets"))
        .bearer_auth(&at)
        .json(&json!({"text": "next window"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    emu.shutdown().await;
}
