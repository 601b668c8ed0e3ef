//! `LinkedIn-Version` follows LinkedIn's calendar on the emulator clock.

use chrono::{Datelike, Months, NaiveDate};

use super::*;

/// `GET /rest/organizationAcls` with `version`: (status, body).
async fn acls(emu: &RunningEmulator, http: &Client, at: &str, version: &str) -> (u16, Value) {
    let r = http
        .get(url(emu, "/rest/organizationAcls?q=roleAssignee"))
        .bearer_auth(at)
        .header("LinkedIn-Version", version)
        .header("X-Restli-Protocol-Version", "2.0.0")
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// The `YYYYMM` version `months` months after `d`'s month.
fn version(d: NaiveDate, months: u32) -> String {
    let m = d.with_day(1).unwrap() + Months::new(months);
    format!("{:04}{:02}", m.year(), m.month())
}

#[tokio::test]
async fn versions_sunset_and_future_versions_are_refused_on_the_clock() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let http = client();
    let at = token(&emu, &http).await;
    let today = emu.clock().now().date_naive();
    let current = version(today, 0);
    let next = version(today, 1);

    // 202510 sunset on 2026-10-15 (published).
    let (status, body) = acls(&emu, &http, &at, "202510").await;
    assert_eq!(status, 426);
    assert_eq!(
        body,
        json!({"status": 426, "code": "NONEXISTENT_VERSION",
               "message": "Requested version 202510 is not active"})
    );
    assert_eq!(acls(&emu, &http, &at, &current).await.0, 200);
    // A month that has not begun is not a version yet.
    assert_eq!(acls(&emu, &http, &at, &next).await.0, 426);
    // Not a YYYYMM month at all.
    assert_eq!(acls(&emu, &http, &at, &format!("{current}01")).await.0, 426);

    // A year on, past the 15th: this month's version is sunset, the next
    // month's has begun and answers.
    let later = today.with_day(1).unwrap() + Months::new(12);
    let target = later
        .with_day(17)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    emu.clock()
        .advance((target - emu.clock().now()).to_std().unwrap());
    let at = token(&emu, &http).await; // the first one expired meanwhile
    assert_eq!(acls(&emu, &http, &at, &current).await.0, 426);
    assert_eq!(acls(&emu, &http, &at, &next).await.0, 200);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_pinned_version_set_overrides_the_calendar() {
    let cfg = EmulatorConfig {
        linkedin_versions: Some(["202401".to_owned()].into()),
        ..EmulatorConfig::default()
    };
    let emu = Emulator::start(cfg).await.unwrap();
    let http = client();
    let at = token(&emu, &http).await;
    assert_eq!(acls(&emu, &http, &at, "202401").await.0, 200);
    assert_eq!(acls(&emu, &http, &at, "202607").await.0, 426);
    emu.shutdown().await;
}
