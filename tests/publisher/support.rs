//! A CreatorSync client against the in-process emulator, with a demo user
//! connected to all six platforms through the real OAuth flows.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use creatorsync::auth::Apps;
use creatorsync::media_host::ObjectStoreMediaHost;
use creatorsync::publish_log::MemoryPublishLog;
use creatorsync::upload::PollConfig;
use creatorsync::{CreatorSync, FileSource, Media, MemoryTokenStore, Platform, PublishLog};
use creatorsync_emulator::{Emulator, EmulatorConfig, MediaServer, RunningEmulator};

pub const USER: &str = "creator-1";

pub struct Env {
    pub emu: RunningEmulator,
    pub sync: CreatorSync,
    pub log: Arc<MemoryPublishLog>,
    pub dir: tempfile::TempDir,
    _media: MediaServer,
}

/// A JPEG-looking file (magic bytes + JFIF header + padding).
pub fn jpeg(len: usize) -> Vec<u8> {
    let mut v = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00,
    ];
    v.resize(len.max(v.len() + 2) - 2, 0x55);
    v.extend_from_slice(&[0xFF, 0xD9]);
    v
}

/// An MP4-looking file (ftyp box + filler).
pub fn mp4(len: usize) -> Vec<u8> {
    let mut v = vec![
        0, 0, 0, 0x20, b'f', b't', b'y', b'p', b'i', b's', b'o', b'm', 0, 0, 2, 0,
    ];
    v.extend_from_slice(b"isomiso2avc1mp41");
    v.resize(len, 0x42);
    v
}

impl Env {
    pub async fn new() -> Env {
        Self::with_config(EmulatorConfig::default()).await
    }

    pub async fn with_config(config: EmulatorConfig) -> Env {
        Self::with_log_wrapper(config, |log| log).await
    }

    /// An Env whose client writes to `wrap(the memory log)` (a log that
    /// fails on purpose, say); `Env::log` stays the memory log beneath.
    pub async fn with_log_wrapper(
        config: EmulatorConfig,
        wrap: impl FnOnce(Arc<dyn PublishLog>) -> Arc<dyn PublishLog>,
    ) -> Env {
        let emu = Emulator::start(config).await.expect("emulator");
        let dir = tempfile::tempdir().expect("tempdir");
        let media_root = dir.path().join("public");
        std::fs::create_dir_all(&media_root).unwrap();
        let media = MediaServer::start(&media_root).await.expect("media server");
        let host =
            ObjectStoreMediaHost::local(&media_root, media.url().clone()).expect("media host");
        let log = Arc::new(MemoryPublishLog::new());
        let sync = CreatorSync::builder()
            .apps(Apps::emulator_defaults())
            .endpoints(emu.endpoints().clone())
            .state_secret(*b"test-state-secret-0123456789abcdef")
            .store(Arc::new(MemoryTokenStore::new()))
            .publish_log(wrap(log.clone() as Arc<dyn PublishLog>))
            .media_host(Arc::new(host))
            .poll(PollConfig {
                initial: Duration::from_millis(20),
                max_interval: Duration::from_millis(200),
                deadline: Duration::from_secs(60),
            })
            .build()
            .await
            .expect("client");
        let env = Env {
            emu,
            sync,
            log,
            dir,
            _media: media,
        };
        for p in Platform::ALL {
            env.connect(p).await;
        }
        env
    }

    /// The full OAuth round trip for `platform`.
    pub async fn connect(&self, platform: Platform) {
        let req = self
            .sync
            .connector()
            .begin(USER, platform, "http://127.0.0.1:9/callback")
            .await
            .expect("begin");
        let callback = self.emu.approve(req.url.as_str()).await.expect("authorize");
        let accounts = self
            .sync
            .connector()
            .complete_from_url(USER, platform, &callback)
            .await
            .unwrap_or_else(|e| panic!("{platform}: connect failed: {e}"));
        assert!(!accounts.is_empty(), "{platform}: no account connected");
    }

    pub async fn file_media(&self, name: &str, bytes: &[u8]) -> Media {
        let path: PathBuf = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        Media::new(FileSource::new(path)).await.expect("media")
    }
}
