//! Facebook Pages resumable video upload (start / transfer / finish) of
//! 1 GiB against the emulator, beside the raw streaming PUT ceiling measured
//! in the same run. The client runs in a fresh child process, so the peak
//! RSS reported is its own. Transfers are sequential at the byte ranges the
//! server dictates (the emulator hands out 4 MiB ranges).
//!
//! `cargo bench --bench facebook_upload` prints one JSON line.
//! Targets: >= 90 % of the ceiling, peak RSS <= 2 x chunk + 16 MiB.

mod common;
#[path = "../tests/common/mod.rs"]
mod tc;

use common::{MIB, child_env, make_file, peak_rss_mib, raw_put_ceiling, run_child, scratch};
use creatorsync::Platform;
use creatorsync::platforms::facebook::FacebookClient;
use creatorsync_emulator::{Emulator, EmulatorConfig};

/// Piece size of the streamed bodies (memory per body in flight).
const PIECE: u64 = 256 * 1024;
/// The emulator's transfer range (server-dictated).
const SERVER_CHUNK: u64 = 4 * MIB;

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    if common::is_ceiling_child() {
        rt.block_on(common::ceiling_child());
    } else if common::is_child() {
        rt.block_on(child());
    } else {
        rt.block_on(parent());
    }
}

async fn child() {
    let (cfg, account, post) = common::child_request().await;
    let client = FacebookClient::new(cfg);
    let t = common::time_publish(&client, &account, &post).await;
    let size = post.media[0].info().len as f64 / MIB as f64;
    println!(
        "{}",
        serde_json::json!({
            "mib_s": size / t.upload_secs,
            "upload_secs": t.upload_secs,
            "publish_secs": t.publish_secs,
            "peak_rss_mib": peak_rss_mib(),
            "rss_before_mib": t.rss_before_mib,
        })
    );
}

async fn parent() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let page = tc::connect(&emu, Platform::Facebook).await;
    let li = tc::connect(&emu, Platform::LinkedIn).await;
    let li_token = match &li.credential {
        creatorsync::Credential::OAuth2 { access, .. } => access.expose().clone(),
        creatorsync::Credential::OAuth1 { .. } => unreachable!(),
    };
    let dir = scratch();
    let size = 1024 * MIB;
    let path = make_file(&dir, size);
    let ceiling = raw_put_ceiling(&emu, &li_token, &path).await;
    let env = child_env(
        &emu,
        Platform::Facebook,
        &page,
        &path,
        SERVER_CHUNK,
        1,
        PIECE,
    );
    let r = tokio::task::spawn_blocking(move || run_child(&env))
        .await
        .unwrap();
    let mib_s = r["mib_s"].as_f64().unwrap_or(0.0);
    let rss = r["peak_rss_mib"].as_f64().unwrap_or(0.0);
    let rss_limit = 2.0 * SERVER_CHUNK as f64 / MIB as f64 + 16.0;
    println!(
        "{}",
        serde_json::json!({
            "bench": "facebook_upload",
            "case": "1024MiB",
            "chunk_mib": SERVER_CHUNK / MIB,
            "piece_bytes": PIECE,
            "client_mib_s": (mib_s * 10.0).round() / 10.0,
            "ceiling_mib_s": (ceiling * 10.0).round() / 10.0,
            "ratio_to_ceiling": (mib_s / ceiling * 1000.0).round() / 1000.0,
            "publish_secs": r["publish_secs"],
            "client_peak_rss_mib": (rss * 10.0).round() / 10.0,
            "rss_limit_mib": rss_limit,
            "rss_ok": rss <= rss_limit,
            "client_rss_before_upload_mib": r["rss_before_mib"],
        })
    );
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_dir_all(&dir);
    emu.shutdown().await;
}
