//! CreatorSync facade crate: re-exports [`creatorsync_core`].
pub use creatorsync_core::*;
