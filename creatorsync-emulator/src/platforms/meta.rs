//! Emulated Meta Graph API: Facebook Pages and Instagram (one shared state,
//! served on two listeners so faults can target either platform).

use axum::Router;
use creatorsync_core::Platform;

use crate::Ctx;

/// The Facebook and Instagram routers.
pub(crate) fn routers(_ctx: Ctx) -> (Router, Router) {
    (
        super::not_found(Platform::Facebook),
        super::not_found(Platform::Instagram),
    )
}
