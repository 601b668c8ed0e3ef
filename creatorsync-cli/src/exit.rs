//! Exit codes, one per error class (docs/cli.md), and how a failure is
//! shown: the core's error view (stable code, redacted message) as JSON on
//! stdout with `--json`, else one line on stderr.

use std::io::Write;
use std::process::ExitCode;

use creatorsync_core::Error;
use creatorsync_core::contract::views::{ErrorView, to_json};
use serde_json::json;

/// Everything worked.
pub(crate) const OK: u8 = 0;
/// `post`: one or more targets failed (the others are published).
pub(crate) const TARGETS_FAILED: u8 = 1;
/// Bad usage or input: an unknown flag, platform or option, an invalid
/// post or media file.
pub(crate) const USAGE: u8 = 2;
/// Not connected, or the user must connect again (also a refused or
/// denied authorization).
pub(crate) const NOT_CONNECTED: u8 = 3;
/// Rate limited, or a quota is used up: try again after the reset.
pub(crate) const RATE_LIMITED: u8 = 4;
/// The platform refused or failed, the network failed, or the outcome of
/// a create is open (publish again with the same `--key`).
pub(crate) const PLATFORM: u8 = 5;
/// The store, its encryption key or the configuration.
pub(crate) const STORE_CONFIG: u8 = 6;
/// Interrupted (Ctrl-C).
pub(crate) const CANCELLED: u8 = 130;

/// The exit code of an error's class.
pub(crate) fn code_of(e: &Error) -> u8 {
    match e {
        Error::InvalidInput { .. }
        | Error::InvalidPost { .. }
        | Error::InvalidMedia { .. }
        | Error::Unsupported { .. } => USAGE,
        Error::NotConnected { .. }
        | Error::ReauthRequired { .. }
        | Error::MissingScope { .. }
        | Error::AuthorizationDenied { .. }
        | Error::InvalidState { .. } => NOT_CONNECTED,
        Error::RateLimited { .. } | Error::QuotaExhausted { .. } => RATE_LIMITED,
        Error::Store { .. } | Error::Key { .. } | Error::Config(_) | Error::Conflict { .. } => {
            STORE_CONFIG
        }
        Error::Cancelled => CANCELLED,
        // Platform, UnexpectedResponse, MediaRejected, Duplicate,
        // Transport, Timeout, InProgress, CreatedUnfinished,
        // OutcomeUnknown, and any class added later.
        _ => PLATFORM,
    }
}

/// A command's failure: the core's error and the exit code of its class,
/// or [`STORE_CONFIG`] for any error while reading the configuration and
/// opening the store (a missing `CREATORSYNC_KEY`, a bad option).
#[derive(Debug)]
pub(crate) struct Failure {
    error: Error,
    code: u8,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        let code = code_of(&error);
        Self { error, code }
    }
}

impl Failure {
    /// An error while setting up the client from the configuration.
    pub(crate) fn setup(error: Error) -> Self {
        let code = match error {
            Error::Cancelled => CANCELLED,
            _ => STORE_CONFIG,
        };
        Self { error, code }
    }

    /// Shows the error (its view as JSON on stdout with `--json`, else
    /// a line on stderr) and returns the exit code.
    pub(crate) fn report(&self, json_out: bool) -> ExitCode {
        let e = &self.error;
        if json_out {
            crate::output::json(&json!({ "error": to_json(&ErrorView::from(e)) }));
        } else {
            let _ = writeln!(std::io::stderr(), "error: {e} [{}]", e.code());
        }
        ExitCode::from(self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use creatorsync_core::Platform;

    #[test]
    fn each_class_has_its_code() {
        let cases = [
            (Error::invalid_input("to", "unknown platform"), USAGE),
            (
                Error::NotConnected {
                    user_id: "u".into(),
                    platform: Platform::X,
                    account: None,
                },
                NOT_CONNECTED,
            ),
            (Error::Config("bad".into()), STORE_CONFIG),
            (Error::Cancelled, CANCELLED),
        ];
        for (e, code) in cases {
            assert_eq!(code_of(&e), code, "{e:?}");
        }
        let setup = Failure::setup(Error::invalid_input("CREATORSYNC_KEY", "is not set"));
        assert_eq!(setup.code, STORE_CONFIG);
    }
}
