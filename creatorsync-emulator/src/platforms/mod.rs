//! One module per emulated platform. Each exposes its routes as an axum
//! `Router` (state captured inside); the fault middleware is added around
//! them by the caller.

use std::collections::HashMap;

use axum::Router;
use creatorsync_core::Platform;

use crate::Ctx;

pub(crate) mod linkedin;
mod meta;
mod tiktok;
mod x;
mod youtube;

/// The router of every platform listener.
pub(crate) fn routers(ctx: &Ctx) -> HashMap<Platform, Router> {
    let (facebook, instagram) = meta::routers(ctx.clone());
    HashMap::from([
        (Platform::X, x::router(ctx.clone())),
        (Platform::LinkedIn, linkedin::router(ctx.clone())),
        (Platform::Facebook, facebook),
        (Platform::Instagram, instagram),
        (Platform::YouTube, youtube::router(ctx.clone())),
        (Platform::TikTok, tiktok::router(ctx.clone())),
    ])
}

/// Answer for paths a platform does not have, in the platform's error shape.
pub(crate) fn not_found(platform: Platform) -> Router {
    Router::new().fallback(move |req: axum::extract::Request| async move {
        let (parts, body) = req.into_parts();
        // Read (and discard) the body like a real server would before answering.
        crate::body::drain(body, None, |_| true).await;
        crate::faults::error_response(
            platform,
            404,
            &format!(
                "emulator: no route for {} {}",
                parts.method,
                parts.uri.path()
            ),
        )
    })
}
