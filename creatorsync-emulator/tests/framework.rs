//! The emulator framework itself: listeners, control API, faults, resets.

use creatorsync_core::Platform;
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};

#[tokio::test]
async fn control_api_and_faults_work() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = reqwest::Client::new();
    let ann = serde_json::to_value(emu.announcement()).unwrap();
    for key in [
        "x",
        "linkedin",
        "facebook",
        "instagram",
        "youtube",
        "tiktok",
        "control",
        "apps",
    ] {
        assert!(ann.get(key).is_some(), "missing {key}");
    }
    // Unknown route: the platform's own error shape.
    let base = emu.endpoints().tiktok.api.clone();
    let r = http.get(base.join("/nope").unwrap()).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_params");

    // Rate limit fault through the control API.
    let control = emu.control_url().clone();
    let r = http
        .post(control.join("/faults/x").unwrap())
        .json(&serde_json::json!({"kind": "rate_limit", "retry_after_secs": 3, "times": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = http
        .get(emu.endpoints().x.api.join("/2/users/me").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "3");
    assert!(r.headers().contains_key("x-rate-limit-reset"));

    // Connection reset after some body bytes: the client sees a transport error.
    emu.faults().inject(
        Platform::YouTube,
        Fault::once(FaultKind::ResetAfterBytes { bytes: 1024 }),
    );
    let err = http
        .put(emu.endpoints().youtube.api.join("/upload").unwrap())
        .body(vec![0u8; 4 << 20])
        .send()
        .await;
    assert!(
        err.is_err(),
        "expected a reset, got {:?}",
        err.map(|r| r.status())
    );

    // Lost response.
    emu.faults()
        .inject(Platform::LinkedIn, Fault::once(FaultKind::LoseResponse));
    assert!(
        http.get(
            emu.endpoints()
                .linkedin
                .api
                .join("/rest/no-such-route")
                .unwrap()
        )
        .send()
        .await
        .is_err()
    );
    // Next request is fine again.
    let r = http
        .get(
            emu.endpoints()
                .linkedin
                .api
                .join("/rest/no-such-route")
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    let stats: serde_json::Value = http
        .get(control.join("/stats").unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["refreshes"]["tiktok"], 0);
    emu.shutdown().await;
}
