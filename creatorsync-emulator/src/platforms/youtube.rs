//! Emulated YouTube API (routes per shared/platforms.md).

use axum::Router;
use creatorsync_core::Platform;

use crate::Ctx;

/// The YouTube router.
pub(crate) fn router(_ctx: Ctx) -> Router {
    super::not_found(Platform::YouTube)
}
