//! A platform's quota as data: its name, cap, window, what it is counted
//! per, and which posts use it. Each platform module lists its own, with
//! the source of every figure.

use serde::Serialize;

use super::Window;
use crate::Post;

/// What a quota is counted per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaScope {
    /// One connected account (an X user, a Page, an Instagram account, a
    /// TikTok creator, a LinkedIn member or organization).
    Account,
    /// The connecting user's grant: every account they connected on the
    /// platform shares it (a LinkedIn member and the organizations they
    /// post as, all on the member's token).
    User,
    /// The whole app (or Google Cloud project): every account shares it.
    App,
}

/// One quota of one platform.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    /// Its name, stable across releases (`posts`, `uploads`, `reels`).
    pub(crate) name: &'static str,
    /// The cap the SDK counts against locally; `None` when the SDK cannot
    /// count it (shared with other apps, or undocumented) and only learns
    /// of exhaustion from the platform.
    pub(crate) limit: Option<u32>,
    /// How the window moves.
    pub(crate) window: Window,
    /// What it is counted per.
    pub(crate) scope: QuotaScope,
    /// Whether publishing `post` uses one slot.
    pub(crate) counts: fn(&Post) -> bool,
}

impl Bucket {
    /// A quota every post of the platform uses.
    pub(crate) fn every_post(
        name: &'static str,
        limit: Option<u32>,
        window: Window,
        scope: QuotaScope,
    ) -> Self {
        Self {
            name,
            limit,
            window,
            scope,
            counts: |_| true,
        }
    }

    /// The same quota, used only by the posts `counts` accepts.
    pub(crate) fn only(mut self, counts: fn(&Post) -> bool) -> Self {
        self.counts = counts;
        self
    }
}
