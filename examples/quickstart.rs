//! CreatorSync quickstart: connect a demo creator to all six platforms and
//! publish to every one of them at once — offline, against the local
//! emulator, with tokens stored encrypted in the embedded SQLite store.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! Steps:
//! 1. start the emulator of X, LinkedIn, Facebook, Instagram, YouTube and
//!    TikTok in-process (the same one the test suites use);
//! 2. open the embedded default store: an encrypted SQLite file;
//! 3. connect the demo user through each platform's real OAuth flow
//!    (authorize URL → consent → callback with code and signed state);
//! 4. publish a text + image post, then a short video, everywhere each fits,
//!    with live upload progress;
//! 5. print where each post landed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use creatorsync::auth::Apps;
use creatorsync::media_host::ObjectStoreMediaHost;
use creatorsync::upload::PollConfig;
use creatorsync::{
    CreatorSync, FileSource, KeyRing, Media, Platform, Post, ProgressEvent, PublishReport, Target,
    TikTokPrivacy,
};
use creatorsync_emulator::{Emulator, EmulatorConfig, MediaServer};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

const USER: &str = "demo-creator";

type Bars = Arc<Mutex<HashMap<String, ProgressBar>>>;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let show_progress = !std::env::args().any(|a| a == "--no-progress");

    // 1. The emulator, and a loopback "web host" for media that platforms
    //    pull by URL (Instagram, TikTok photos).
    let emu = Emulator::start(EmulatorConfig::default()).await?;
    let work = std::env::temp_dir().join(format!("creatorsync-quickstart-{}", std::process::id()));
    let public = work.join("public");
    std::fs::create_dir_all(&public)?;
    let media_server = MediaServer::start(&public).await?;
    let media_host = ObjectStoreMediaHost::local(&public, media_server.url().clone())?;

    // 2. The embedded default store: one encrypted SQLite file. The key comes
    //    from CREATORSYNC_KEY (base64, 32 bytes); the demo makes one up.
    let db = work.join("creatorsync.db");
    let keys = match KeyRing::from_env() {
        Ok(keys) => keys,
        Err(_) => KeyRing::generate("demo")?,
    };
    let sync = CreatorSync::builder()
        .apps(Apps::emulator_defaults())
        .endpoints(emu.endpoints().clone())
        .state_secret(*b"quickstart-state-secret-32-bytes!")
        .sqlite(&db, Some(keys))
        .media_host(Arc::new(media_host))
        .poll(PollConfig {
            initial: Duration::from_millis(25),
            ..PollConfig::default()
        })
        .build()
        .await?;
    println!("token store: {} (encrypted SQLite)", db.display());

    // 3. Connect every platform through its OAuth flow.
    for platform in Platform::ALL {
        let request = sync
            .connector()
            .begin(USER, platform, "http://127.0.0.1:8080/callback")
            .await?;
        // The user's browser would visit `request.url`; the emulator approves.
        let callback = emu.approve(request.url.as_str()).await?;
        let accounts = sync
            .connector()
            .complete_from_url(USER, platform, &callback)
            .await?;
        let names: Vec<String> = accounts
            .iter()
            .map(|a| {
                a.profile
                    .handle
                    .clone()
                    .or_else(|| a.profile.display_name.clone())
                    .unwrap_or_else(|| a.key.account_id.clone())
            })
            .collect();
        println!("connected {platform:<9} {}", names.join(", "));
    }

    // 4. Publish. Media: a photo and a short clip (generated here).
    let photo = work.join("photo.jpg");
    std::fs::write(&photo, demo_jpeg())?;
    let clip = work.join("clip.mp4");
    std::fs::write(&clip, demo_mp4(6 * 1024 * 1024))?;

    let mut photo_post =
        Post::text("Hello from CreatorSync 👋 one post, six platforms #creatorsync").with_media(
            Media::new(FileSource::new(&photo))
                .await?
                .with_alt_text("A demo photo"),
        );
    photo_post.options.tiktok.privacy_level = Some(TikTokPrivacy::SelfOnly);
    photo_post.options.tiktok.disable_stitch = true; // the demo creator turned stitches off
    let photo_targets = [
        Target::Platform(Platform::X),
        Target::Account {
            platform: Platform::LinkedIn,
            account_id: "li-demo-person".into(),
        },
        Target::Account {
            platform: Platform::Facebook,
            account_id: "1001".into(),
        },
        Target::Platform(Platform::Instagram),
        Target::Platform(Platform::TikTok),
    ];
    let report = publish(&sync, &photo_post, &photo_targets, show_progress, "photo").await?;
    print_report("text + image", &report);

    let mut video_post = Post::text("Our first clip, published everywhere at once #creatorsync")
        .with_media(Media::new(FileSource::new(&clip)).await?);
    video_post.options.youtube.title = Some("CreatorSync quickstart clip".into());
    video_post.options.tiktok.privacy_level = Some(TikTokPrivacy::SelfOnly);
    video_post.options.tiktok.disable_stitch = true;
    let video_targets = [
        Target::Platform(Platform::X),
        Target::Account {
            platform: Platform::LinkedIn,
            account_id: "li-demo-person".into(),
        },
        Target::Account {
            platform: Platform::Facebook,
            account_id: "1001".into(),
        },
        Target::Platform(Platform::Instagram),
        Target::Platform(Platform::YouTube),
        Target::Platform(Platform::TikTok),
    ];
    let report = publish(&sync, &video_post, &video_targets, show_progress, "video").await?;
    print_report("video", &report);

    let failures = report.failed().count();
    println!(
        "\nthe emulator recorded {} posts; nothing was published twice",
        emu.record().posts().len()
    );
    drop(media_server);
    emu.shutdown().await;
    let _ = std::fs::remove_dir_all(&work);
    if failures > 0 {
        return Err(format!("{failures} target(s) failed").into());
    }
    Ok(())
}

async fn publish(
    sync: &CreatorSync,
    post: &Post,
    targets: &[Target],
    show_progress: bool,
    what: &str,
) -> Result<PublishReport, Box<dyn std::error::Error>> {
    let multi = MultiProgress::with_draw_target(if show_progress {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    });
    let style =
        ProgressStyle::with_template("{prefix:>10} [{bar:30}] {bytes:>9}/{total_bytes:9} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
    let bars: Bars = Arc::default();
    let (b, m, s) = (bars.clone(), multi.clone(), style.clone());
    let report = sync
        .publish(USER, post)
        .targets(targets.iter().cloned())
        .idempotency_key(format!("quickstart-{what}"))
        .on_progress(move |event| on_event(&b, &m, &s, event))
        .await?;
    if report.failed().count() > 0 && what == "photo" {
        return Err(format!("{} target(s) failed: {report:#?}", report.failed().count()).into());
    }
    Ok(report)
}

fn bar_for(
    bars: &Bars,
    multi: &MultiProgress,
    style: &ProgressStyle,
    platform: Platform,
) -> ProgressBar {
    let mut map = bars
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    map.entry(platform.to_string())
        .or_insert_with(|| {
            let bar = multi.add(ProgressBar::new(0));
            bar.set_style(style.clone());
            bar.set_prefix(platform.to_string());
            bar
        })
        .clone()
}

fn on_event(bars: &Bars, multi: &MultiProgress, style: &ProgressStyle, event: &ProgressEvent) {
    match event {
        ProgressEvent::Uploading {
            platform,
            sent,
            total,
            ..
        } => {
            let bar = bar_for(bars, multi, style, *platform);
            bar.set_length(*total);
            bar.set_position(*sent);
            bar.set_message("uploading");
        }
        ProgressEvent::Processing {
            platform, state, ..
        } => {
            bar_for(bars, multi, style, *platform).set_message(format!("processing ({state})"));
        }
        ProgressEvent::Published { platform, .. } => {
            let bar = bar_for(bars, multi, style, *platform);
            bar.set_message("published");
            bar.finish();
        }
        ProgressEvent::Failed { platform, code, .. } => {
            bar_for(bars, multi, style, *platform).abandon_with_message(format!("failed: {code}"));
        }
        _ => {}
    }
}

fn print_report(title: &str, report: &PublishReport) {
    println!(
        "\n{title}: {} targets in {:.2}s",
        report.results.len(),
        report.elapsed.as_secs_f64()
    );
    println!("{:<10} {:<20} {:<28} URL", "PLATFORM", "ACCOUNT", "POST ID");
    for r in &report.results {
        match &r.outcome {
            Ok(p) => println!(
                "{:<10} {:<20} {:<28} {}",
                r.platform(),
                r.account.account_id,
                p.post_id,
                p.url
            ),
            Err(e) => println!(
                "{:<10} {:<20} {:<28} error: {e}",
                r.platform(),
                r.account.account_id,
                "-"
            ),
        }
    }
}

/// A small JPEG-shaped file (JFIF header; the emulator checks the type).
fn demo_jpeg() -> Vec<u8> {
    let mut v = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00,
    ];
    v.resize(48 * 1024, 0x5A);
    v.extend_from_slice(&[0xFF, 0xD9]);
    v
}

/// An MP4-shaped file (ftyp box + filler) of `len` bytes.
fn demo_mp4(len: usize) -> Vec<u8> {
    let mut v = vec![
        0, 0, 0, 0x20, b'f', b't', b'y', b'p', b'i', b's', b'o', b'm', 0, 0, 2, 0,
    ];
    v.extend_from_slice(b"isomiso2avc1mp41");
    v.resize(len, 0x42);
    v
}
