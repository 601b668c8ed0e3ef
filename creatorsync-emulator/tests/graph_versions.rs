//! Graph API versions on the emulator clock: released versions answer,
//! expired ones are served by the oldest live version (visibly) or refused
//! when configured, unreleased ones are refused.

mod common_meta;

use chrono::NaiveDate;
use common_meta::*;
use creatorsync_core::Platform;
use creatorsync_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use serde_json::Value;

/// `GET /{version}/me`: (status, body, facebook-api-version, served header).
async fn me(
    emu: &RunningEmulator,
    token: &str,
    version: &str,
) -> (u16, Value, Option<String>, Option<String>) {
    let p = proof(token);
    let r = client()
        .get(format!(
            "{}{version}/me",
            emu.endpoints().get(Platform::Facebook).api
        ))
        .query(&[("access_token", token), ("appsecret_proof", p.as_str())])
        .send()
        .await
        .unwrap();
    let h = |name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (api, served) = (
        h("facebook-api-version"),
        h("x-emulator-graph-version-served"),
    );
    (r.status().as_u16(), r.json().await.unwrap(), api, served)
}

/// Moves the clock past v21.0's expiry (2027-01-21) if it is not already.
fn past_v21_expiry(emu: &RunningEmulator) {
    let target = NaiveDate::from_ymd_opt(2027, 1, 22)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    if let Ok(by) = (target - emu.clock().now()).to_std() {
        emu.clock().advance(by);
    }
}

#[tokio::test]
async fn live_unreleased_and_expired_versions() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let (user, _, _) = login(&emu, &http).await;

    let (status, _, api, served) = me(&emu, &user, "v25.0").await;
    assert_eq!(status, 200);
    assert_eq!(api.as_deref(), Some("v25.0"));
    assert_eq!(served, None);
    // Newer than any released version: a Graph error, not a silent answer.
    let (status, body, _, _) = me(&emu, &user, "v99.0").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], 2635);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Unsupported version"),
        "{body}"
    );

    // Past its expiry v21.0 still answers, served by the oldest live
    // version, and the emulator says so in a header and the request log.
    past_v21_expiry(&emu);
    let (user, _, _) = login(&emu, &http).await;
    let mark = emu.record().mark();
    let (status, body, api, served) = me(&emu, &user, "v21.0").await;
    assert_eq!(status, 200, "{body}");
    let served = served.expect("served header");
    assert_ne!(served, "v21.0");
    assert_eq!(api.as_deref(), Some(served.as_str()));
    let logged = emu.record().requests_since(mark);
    let last = logged.last().unwrap();
    assert_eq!(last.platform, Platform::Facebook);
    assert_eq!(last.version_served.as_deref(), Some(served.as_str()));
    // A live version is not relabelled.
    let mark = emu.record().mark();
    let (_, _, _, served) = me(&emu, &user, "v25.0").await;
    assert_eq!(served, None);
    assert_eq!(emu.record().requests_since(mark)[0].version_served, None);
    emu.shutdown().await;
}

#[tokio::test]
async fn expired_versions_can_be_refused() {
    let cfg = EmulatorConfig {
        graph_expired_refuse: true,
        ..EmulatorConfig::default()
    };
    let emu = Emulator::start(cfg).await.unwrap();
    past_v21_expiry(&emu);
    // The version is judged before the token.
    let (status, body, _, _) = me(&emu, "not-a-token", "v21.0").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], 2635, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("deprecated version"),
        "{body}"
    );
    // A live version gets as far as the token check.
    let (status, body, _, _) = me(&emu, "not-a-token", "v25.0").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], 190, "{body}");
    emu.shutdown().await;
}
