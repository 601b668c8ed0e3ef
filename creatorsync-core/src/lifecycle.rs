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
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use crate::analytics::PostRef;
use crate::{Error, Platform};

/// What a draft became on one platform: its closest meaning of "not live
/// yet".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

/// Reads a post reference written `platform:post_id` or
/// `platform:post_id@account_id` (the CLI's form).
///
/// ```
/// use creatorsync_core::{Platform, lifecycle::parse_post_ref};
/// let r = parse_post_ref("facebook:123_456@123")?;
/// assert_eq!(r.platform, Platform::Facebook);
/// assert_eq!(r.post_id, "123_456");
/// assert_eq!(r.account_id.as_deref(), Some("123"));
/// assert!(parse_post_ref("myspace:1").is_err());
/// # Ok::<(), creatorsync_core::Error>(())
/// ```
pub fn parse_post_ref(s: &str) -> Result<PostRef, Error> {
    let bad = |why: &str| {
        Error::invalid_input(
            "post",
            format!("`{s}` is not a post reference ({why}); write platform:post_id[@account_id]"),
        )
    };
    let (platform, rest) = s.split_once(':').ok_or_else(|| bad("no `:`"))?;
    let platform = Platform::from_str(platform).map_err(|_| bad("unknown platform"))?;
    // LinkedIn ids are URNs (`urn:li:share:1`): the account is after the
    // last `@`, which no platform's post id holds.
    let (post_id, account) = match rest.rsplit_once('@') {
        Some((id, acc)) => (id, Some(acc)),
        None => (rest, None),
    };
    if post_id.is_empty() || account.is_some_and(str::is_empty) {
        return Err(bad("empty post id or account"));
    }
    let r = PostRef::new(platform, post_id);
    Ok(match account {
        Some(a) => r.on_account(a),
        None => r,
    })
}
