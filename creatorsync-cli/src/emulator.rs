//! `--emulator` and `creatorsync emulator`: the bundled emulator of the six
//! platforms, started in this process (the `creatorsync-emulator` library,
//! as the test suites start it), with a loopback media host for the
//! platforms that pull media by URL, and the emulator's login user playing
//! the browser that approves a connect.

use std::path::PathBuf;

use creatorsync_core::{Account, CreatorSync, Error, Platform, Result};
use creatorsync_emulator::{Emulator, EmulatorConfig, MediaServer, RunningEmulator};
use serde_json::{Map, Value, json};

/// A running in-process emulator.
pub(crate) struct Local {
    emu: RunningEmulator,
    media: MediaServer,
    dir: PathBuf,
}

impl Local {
    /// Starts the emulator and a media host serving a fresh temporary
    /// directory.
    pub(crate) async fn start() -> Result<Self> {
        let emu = Emulator::start(EmulatorConfig::default())
            .await
            .map_err(|e| Error::Config(format!("cannot start the emulator: {e}")))?;
        let dir = std::env::temp_dir().join(format!("creatorsync-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::Config(format!("cannot create {}: {}", dir.display(), e.kind())))?;
        let media = MediaServer::start(&dir)
            .await
            .map_err(|e| Error::Config(format!("cannot start the media host: {e}")))?;
        Ok(Self { emu, media, dir })
    }

    /// The emulator's announcement: endpoints per platform, its control
    /// API and the app credentials it accepts (test apps, not secrets).
    pub(crate) fn announcement(&self) -> Value {
        serde_json::to_value(self.emu.announcement()).unwrap_or(Value::Null)
    }

    /// Its scratch directory (removed when it stops).
    pub(crate) fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// Points the client options at the emulator: its test apps and
    /// endpoints, an in-memory store (the emulator's tokens end with this
    /// process) and the loopback media host.
    pub(crate) fn apply(&self, options: &mut Map<String, Value>) {
        for k in ["store", "sqlite", "postgres", "store_keys", "media_host"] {
            options.remove(k);
        }
        options.insert("apps".into(), "emulator".into());
        options.insert("endpoints".into(), self.announcement());
        options.insert("store".into(), "memory".into());
        options.insert(
            "media_host".into(),
            json!({
                "dir": self.dir.to_string_lossy(),
                "public_base_url": self.media.url().as_str(),
            }),
        );
    }

    /// Plays the user's browser on the authorize page: approves it and
    /// returns the callback URL the platform redirects to.
    pub(crate) async fn approve(&self, authorize_url: &str) -> Result<String> {
        self.emu
            .approve(authorize_url)
            .await
            .map_err(|e| Error::Config(format!("the emulator did not approve the connect: {e}")))
    }

    /// Connects every demo account of `user` without a listener (the
    /// callback URL is completed directly): what `--emulator` does before
    /// any command.
    pub(crate) async fn connect_all(&self, sync: &CreatorSync, user: &str) -> Result<Vec<Account>> {
        let mut all = Vec::new();
        for platform in Platform::ALL {
            let request = sync
                .connector()
                .begin(user, platform, "http://127.0.0.1:9/callback")
                .await?;
            let callback = self.approve(request.url.as_str()).await?;
            all.extend(
                sync.connector()
                    .complete_from_url(user, platform, &callback)
                    .await?,
            );
        }
        Ok(all)
    }

    /// Stops the servers and removes the media directory.
    pub(crate) async fn shutdown(self) {
        drop(self.media);
        self.emu.shutdown().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
