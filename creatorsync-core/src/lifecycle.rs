//! A post's life after [`crate::CreatorSync::publish`]: drafts, edits and
//! deletes.
//!
//! * [`crate::Post::draft`] publishes a post as the platform's closest
//!   meaning of a draft; the report says which one per target
//!   ([`crate::TargetResult::draft`], a [`DraftKind`]). Platforms without
//!   one refuse a draft in validation.
//! * [`crate::CreatorSync::edit`] replaces a published post's text where
//!   the platform allows it (LinkedIn, Facebook, YouTube's description);
//!   elsewhere it fails with [`crate::Error::Unsupported`] before any
//!   request.
//! * [`crate::CreatorSync::delete`] deletes a published post where the
//!   platform's API can (X, LinkedIn, Facebook, YouTube). Deleting a post
//!   that is already gone succeeds: a delete is idempotent, so a retry
//!   after a lost answer is safe.
//!
//! Both take the report's reference to a post, [`PostRef`] (platform, post
//! id and account), the same one [`crate::CreatorSync::metrics`] reads.
//! `docs/drafts-and-edits.md` has the per-platform table with sources.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::analytics::PostRef;

/// What a draft became on one platform: its closest meaning of "not live
/// yet".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DraftKind {
    /// Facebook: an unpublished Page post (`published=false`), seen only
    /// by the Page's admins until it is published from the Page.
    Unpublished,
    /// YouTube: a private video, seen only by the channel until its
    /// privacy is changed.
    Private,
    /// TikTok: an upload to the creator's inbox (`MEDIA_UPLOAD`); the
    /// creator finishes and posts it in the TikTok app.
    Inbox,
}

impl fmt::Display for DraftKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DraftKind::Unpublished => "unpublished",
            DraftKind::Private => "private",
            DraftKind::Inbox => "inbox",
        })
    }
}
