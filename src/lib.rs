#![doc = include_str!("../README.md")]
pub use creatorsync_core::*;
