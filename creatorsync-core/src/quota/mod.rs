//! Quotas: know before you upload, fail with the time the quota resets.
//!
//! Every platform caps posting, most only say so after the work is done.
//! The [`Ledger`] keeps, per platform, quota and scope (an account or the
//! app), the uses inside the quota's window, in the same
//! [`crate::KeyValueStore`] every worker shares, so:
//!
//! * `publish` reserves a slot of every quota a target uses before
//!   uploading anything; a used-up quota fails that target at once with
//!   [`crate::Error::QuotaExhausted`] and the time it resets;
//! * a reservation is a compare-and-swap write, so two workers racing for
//!   the last slot cannot both get it; it is keyed by the idempotency key
//!   and account, so a retry reuses its own slot;
//! * a target that fails before its create could reach the platform gives
//!   its slot back; one that may have created keeps it;
//! * a quota the SDK cannot count (shared with other apps, undocumented)
//!   is learned from the platform: its "used up for today" answer blocks
//!   the quota until the reset it names.

mod bucket;
mod ledger;
mod window;

pub use bucket::QuotaScope;
pub use ledger::QuotaUsage;

pub(crate) use bucket::Bucket;
pub(crate) use ledger::{Ledger, Outlook, Reserved};
pub(crate) use window::Window;
