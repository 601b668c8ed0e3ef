//! Several workers on one database: a connect begun on one completes on
//! another (the pending connect waits in the shared SQLite file, not in the
//! process that began it), and only once.

use creatorsync::auth::Apps;
use creatorsync::{CreatorSync, Error, KeyRing, Platform, StateProblem};
use creatorsync_emulator::{Emulator, EmulatorConfig, RunningEmulator};

async fn worker(emu: &RunningEmulator, db: &std::path::Path) -> CreatorSync {
    CreatorSync::builder()
        .apps(Apps::emulator_defaults())
        .endpoints(emu.endpoints().clone())
        .state_secret(*b"test-state-secret-0123456789abcdef")
        .sqlite(db, Some(KeyRing::new("k1", &[3u8; 32]).unwrap()))
        .build()
        .await
        .expect("worker")
}

#[tokio::test]
async fn a_connect_begun_on_one_worker_completes_on_another_once() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    let (a, b) = (worker(&emu, &db).await, worker(&emu, &db).await);
    for platform in [Platform::TikTok, Platform::X] {
        let req = a
            .connector()
            .begin("u1", platform, "http://127.0.0.1:9/callback")
            .await
            .unwrap();
        let callback = emu.approve(req.url.as_str()).await.unwrap();
        // The callback reaches the other worker.
        let accounts = b
            .connector()
            .complete_from_url("u1", platform, &callback)
            .await
            .unwrap_or_else(|e| panic!("{platform}: {e}"));
        assert_eq!(accounts.len(), 1, "{platform}");
        // Replayed on the first worker: refused, the state is spent.
        let err = a
            .connector()
            .complete_from_url("u1", platform, &callback)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidState {
                    problem: StateProblem::Replayed
                }
            ),
            "{platform}: {err}"
        );
    }
    // Both workers see the accounts (one shared store).
    let status = a.tokens().status("u1").await.unwrap();
    assert_eq!(status.len(), 2, "{status:#?}");
}
