//! Connecting accounts and keeping their tokens usable.
//!
//! * [`OAuth1Signer`]: RFC 5849 HMAC-SHA1 request signing (X).

mod oauth1;

pub use oauth1::{OAuth1Signer, SignInput, percent_encode};
