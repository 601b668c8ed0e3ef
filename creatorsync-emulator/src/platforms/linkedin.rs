//! Emulated LinkedIn API (routes per shared/platforms.md).

use axum::Router;
use creatorsync_core::Platform;

use crate::Ctx;

/// The LinkedIn router.
pub(crate) fn router(_ctx: Ctx) -> Router {
    super::not_found(Platform::LinkedIn)
}
