//! The X emulator against shared/platforms.md §1, driven with raw HTTP.

mod forms;
mod limits;
mod media;
mod oauth;

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
        emu.endpoints()
            .get(Platform::X)
            .api
            .as_str()
            .trim_end_matches('/'),
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

/// Runs the OAuth 1.0a three-legged flow; returns the user's signer.
async fn oauth1_user(emu: &RunningEmulator, http: &Client) -> Signer {
    let now = emu.clock().unix();
    let consumer = Signer {
        token: String::new(),
        token_secret: String::new(),
    };
    let u = url(emu, "/oauth/request_token");
    let h = consumer.header("POST", &u, &[], &[("oauth_callback", REDIRECT)], now, "h1");
    let rt = form_map(
        &http
            .post(&u)
            .header("authorization", h)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    let r = http
        .get(url(emu, "/oauth/authorize"))
        .query(&[("oauth_token", &rt["oauth_token"])])
        .send()
        .await
        .unwrap();
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = loc.query_pairs().into_owned().collect();
    let req = Signer {
        token: rt["oauth_token"].clone(),
        token_secret: rt["oauth_token_secret"].clone(),
    };
    let u = url(emu, "/oauth/access_token");
    let h = req.header(
        "POST",
        &u,
        &[],
        &[("oauth_verifier", &q["oauth_verifier"])],
        now,
        "h2",
    );
    let acc = form_map(
        &http
            .post(&u)
            .header("authorization", h)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    Signer {
        token: acc["oauth_token"].clone(),
        token_secret: acc["oauth_token_secret"].clone(),
    }
}
