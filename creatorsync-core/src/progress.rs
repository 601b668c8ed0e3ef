//! Progress events of a publish, delivered to a callback.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::Platform;

/// Something that happened during a publish.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ProgressEvent {
    /// The post passed validation for every target.
    Validated {
        /// Number of targets.
        targets: usize,
    },
    /// Bytes of a media upload were accepted by the platform.
    Uploading {
        /// Platform.
        platform: Platform,
        /// Account id.
        account: String,
        /// Bytes sent and acknowledged so far.
        sent: u64,
        /// Total bytes of this upload.
        total: u64,
    },
    /// The platform is processing media.
    Processing {
        /// Platform.
        platform: Platform,
        /// Account id.
        account: String,
        /// The platform's state (e.g. `in_progress`, `PROCESSING_UPLOAD`).
        state: String,
    },
    /// Published.
    Published {
        /// Platform.
        platform: Platform,
        /// Account id.
        account: String,
        /// Post id.
        post_id: String,
        /// Canonical URL.
        url: String,
    },
    /// Failed.
    Failed {
        /// Platform.
        platform: Platform,
        /// Account id.
        account: String,
        /// Stable error code (see [`crate::Error::code`]).
        code: String,
        /// Message.
        message: String,
    },
}

/// A progress callback. Called from async tasks: keep it quick and non-blocking.
pub type ProgressFn = Arc<dyn Fn(&ProgressEvent) + Send + Sync>;

/// Reports progress of one target (platform + account) to an optional callback.
#[derive(Clone, Default)]
pub struct Progress {
    sink: Option<ProgressFn>,
    target: Option<(Platform, String)>,
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Progress")
            .field("has_sink", &self.sink.is_some())
            .field("target", &self.target)
            .finish()
    }
}

impl Progress {
    /// Reports nowhere.
    pub fn none() -> Self {
        Self::default()
    }

    /// Reports to `sink`.
    pub fn new(sink: ProgressFn) -> Self {
        Self {
            sink: Some(sink),
            target: None,
        }
    }

    /// The same sink, scoped to one target.
    #[must_use]
    pub fn for_target(&self, platform: Platform, account: impl Into<String>) -> Self {
        Self {
            sink: self.sink.clone(),
            target: Some((platform, account.into())),
        }
    }

    /// Emits an event.
    pub fn emit(&self, event: &ProgressEvent) {
        if let Some(sink) = &self.sink {
            sink(event);
        }
    }

    fn target(&self) -> (Platform, String) {
        self.target.clone().unwrap_or((Platform::X, String::new()))
    }

    /// Emits `Uploading`.
    pub fn uploading(&self, sent: u64, total: u64) {
        if self.sink.is_some() {
            let (platform, account) = self.target();
            self.emit(&ProgressEvent::Uploading {
                platform,
                account,
                sent,
                total,
            });
        }
    }

    /// Emits `Processing`.
    pub fn processing(&self, state: impl Into<String>) {
        if self.sink.is_some() {
            let (platform, account) = self.target();
            self.emit(&ProgressEvent::Processing {
                platform,
                account,
                state: state.into(),
            });
        }
    }
}
