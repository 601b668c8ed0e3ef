//! The one public error type.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Platform;

/// `Result` with CreatorSync's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One problem found while validating a post for a platform.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// The platform whose rule is broken (None: a rule of every platform).
    pub platform: Option<Platform>,
    /// The field at fault, e.g. `text`, `media[2]`, `youtube.title`.
    pub field: String,
    /// A stable machine-readable code, e.g. `text_too_long`.
    pub code: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.platform {
            Some(p) => write!(f, "{p}: {}: {}", self.field, self.message),
            None => write!(f, "{}: {}", self.field, self.message),
        }
    }
}

/// Why an OAuth `state` value was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateProblem {
    /// Not a state this SDK issued (bad encoding or signature).
    Tampered,
    /// Issued too long ago.
    Expired,
    /// Already used once.
    Replayed,
    /// Issued for another user.
    WrongUser,
    /// Issued for another platform.
    WrongPlatform,
}

impl fmt::Display for StateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StateProblem::Tampered => "it was not issued by this app or was modified",
            StateProblem::Expired => "it has expired",
            StateProblem::Replayed => "it was already used",
            StateProblem::WrongUser => "it was issued for another user",
            StateProblem::WrongPlatform => "it was issued for another platform",
        })
    }
}

/// Everything that can go wrong in CreatorSync.
///
/// Branch on variants or on the question methods ([`Error::is_retryable`],
/// [`Error::retry_after`], [`Error::status`]), never on message text.
/// Messages never contain tokens or secrets.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No account is connected for this user/platform (or the requested one).
    #[error("{platform}: no connected account for user {user_id:?}{}; run the connect flow first", account.as_ref().map(|a| format!(" (account {a})")).unwrap_or_default())]
    NotConnected {
        /// Your user id.
        user_id: String,
        /// The platform.
        platform: Platform,
        /// The specific account asked for, if any.
        account: Option<String>,
    },

    /// The stored token can no longer be used (revoked, expired without
    /// refresh, refresh rejected). The token row is kept, flagged
    /// `needs_reauth`; send the user through the connect flow again.
    #[error("{platform}: the user must reconnect this account ({reason})")]
    ReauthRequired {
        /// The platform.
        platform: Platform,
        /// The account id, when known.
        account: Option<String>,
        /// Why (never contains token material).
        reason: String,
    },

    /// The platform throttled the request.
    #[error("{platform}: rate limited{}: {message}", retry_after.map(|d| format!(", retry after {}s", d.as_secs())).unwrap_or_default())]
    RateLimited {
        /// The platform.
        platform: Platform,
        /// How long to wait before trying again, when the platform said.
        retry_after: Option<Duration>,
        /// When the limit resets (absolute), when known.
        reset_at: Option<DateTime<Utc>>,
        /// The platform's message.
        message: String,
    },

    /// A platform quota with a long window (a day, a rolling 24 hours) is
    /// used up: found in the quota ledger before anything was uploaded, or
    /// reported by the platform. Never retried by the SDK; try again after
    /// `resets_at`.
    #[error("{platform}: the {bucket} quota is used up{}, resets at {resets_at}: {message}", limit.map(|l| format!(" ({l} allowed)")).unwrap_or_default())]
    QuotaExhausted {
        /// The platform.
        platform: Platform,
        /// The quota's name in the platform's data (`posts`, `uploads`, ...).
        bucket: String,
        /// How many the window allows, when the platform documents it.
        limit: Option<u32>,
        /// When a slot frees up again (for a window the platform does not
        /// report, an upper bound).
        resets_at: DateTime<Utc>,
        /// What happened.
        message: String,
    },

    /// The post breaks one or more platform rules. Found before any request.
    #[error("the post is not valid: {}", violations.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidPost {
        /// Every violation, for every target.
        violations: Vec<Violation>,
    },

    /// A caller-supplied value is malformed (names the field).
    #[error("invalid {field}: {message}")]
    InvalidInput {
        /// The parameter or field.
        field: String,
        /// What is wrong.
        message: String,
    },

    /// A post template cannot be rendered: a variable not given, a
    /// placeholder that is not a variable name, unbalanced braces.
    #[error("invalid template {field}: {problem}")]
    InvalidTemplate {
        /// Which text of the template (`text`, `texts.x`,
        /// `media[0].alt_text`, `options.youtube.title`).
        field: String,
        /// What is wrong.
        problem: crate::templates::TemplateProblem,
    },
    /// A media source cannot be used (missing or empty file, unknown type,
    /// URL refused by the SSRF guard, too large...).
    #[error("media {source_name}: {reason}")]
    InvalidMedia {
        /// A display name for the source (file name or URL without query).
        source_name: String,
        /// What is wrong and what to do.
        reason: String,
        /// The underlying failure (e.g. the I/O error reading a file), for
        /// [`std::error::Error::source`].
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    /// The platform accepted the upload but refused the media (processing
    /// failed, unsupported format, container expired...).
    #[error("{platform}: media rejected: {reason}")]
    MediaRejected {
        /// The platform.
        platform: Platform,
        /// The platform's reason.
        reason: String,
        /// The platform's error code, when given.
        code: Option<String>,
    },

    /// The platform refused the post as a duplicate of an earlier one.
    #[error("{platform}: duplicate content refused by the platform: {message}")]
    Duplicate {
        /// The platform.
        platform: Platform,
        /// The platform's message.
        message: String,
    },

    /// Any other error answer from a platform.
    #[error("{platform}: HTTP {status}{}: {message}", code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Platform {
        /// The platform.
        platform: Platform,
        /// HTTP status.
        status: u16,
        /// The platform's error code, if any.
        code: Option<String>,
        /// The platform's message.
        message: String,
        /// The raw response body (secrets redacted), for debugging.
        body: Option<String>,
    },

    /// A platform's answer this SDK cannot use: a success without a field
    /// the protocol promises, an upload URL on a foreign host, a body that
    /// is not the documented shape. Not retryable (the same request gets the
    /// same answer). Built with [`Error::unexpected_response`].
    #[error("{platform}: unexpected response{}: {message}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    UnexpectedResponse {
        /// The platform.
        platform: Platform,
        /// The HTTP status of the answer, when the error is about one
        /// answer (never made up).
        status: Option<u16>,
        /// What was expected.
        message: String,
        /// The answer's body (secrets redacted), when at hand.
        body: Option<String>,
    },

    /// The platform's API does not offer this operation (e.g. deleting an
    /// Instagram or TikTok post). Nothing was sent.
    #[error("{platform}: not supported: {message}")]
    Unsupported {
        /// The platform.
        platform: Platform,
        /// What is not supported.
        message: String,
    },

    /// The account was connected without a permission this call needs
    /// (reading metrics needs the platform's analytics scope, editing a
    /// YouTube video `youtube.force-ssl`). Nothing was sent; connect the
    /// account again with [`crate::auth::ScopeUse::Analytics`] or
    /// [`crate::auth::ScopeUse::Manage`] in the app's uses
    /// ([`crate::auth::Apps::uses`]).
    #[error(
        "{platform}: the account was connected without the `{scope}` permission; connect it again with the use that asks for it (analytics for metrics, manage for edits and deletes)"
    )]
    MissingScope {
        /// The platform.
        platform: Platform,
        /// The account.
        account: Option<String>,
        /// The scope that was not granted.
        scope: String,
    },

    /// The OAuth flow was refused by the user or the platform.
    #[error("{platform}: authorization was not granted: {error}{}", description.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    AuthorizationDenied {
        /// The platform.
        platform: Platform,
        /// The OAuth `error` code, e.g. `access_denied`.
        error: String,
        /// The OAuth `error_description`, when given.
        description: Option<String>,
    },

    /// The OAuth `state` from a callback is not acceptable. Nothing was stored.
    #[error("the OAuth state was refused: {problem}; start the connect flow again")]
    InvalidState {
        /// Why.
        problem: StateProblem,
    },

    /// Network or protocol failure talking to a platform.
    #[error("{}: network error{}: {message}", platform.map(|p| p.as_str()).unwrap_or("http"), if *maybe_sent { " (the request may have reached the server)" } else { "" })]
    Transport {
        /// The platform, when known.
        platform: Option<Platform>,
        /// What failed.
        message: String,
        /// Whether the request may have reached the server (so a create
        /// may have happened).
        maybe_sent: bool,
        /// Whether it was a timeout.
        timeout: bool,
        /// The underlying failure (the HTTP client's, without its URL, which
        /// may carry secrets in its query), for
        /// [`std::error::Error::source`].
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    /// A compare-and-swap write found another version in the store.
    #[error(
        "store conflict: the record changed (current version {current_version:?}); re-read and retry"
    )]
    Conflict {
        /// The version now in the store (None: the record does not exist).
        current_version: Option<u64>,
    },

    /// The token store or publish log failed.
    #[error("store error: {message}")]
    Store {
        /// What failed.
        message: String,
        /// The underlying failure (e.g. the database driver's error), for
        /// [`std::error::Error::source`]; never one that quotes a
        /// connection URL's password.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    /// A stored credential cannot be decrypted with the configured keys.
    #[error(
        "cannot decrypt stored credential with key {key_id:?}: {message}; configure that key (CREATORSYNC_KEY) or reconnect the account"
    )]
    Key {
        /// The key id the row was written with.
        key_id: String,
        /// What failed.
        message: String,
    },

    /// The SDK is misconfigured (missing client credentials, bad endpoint...).
    #[error("configuration error: {0}")]
    Config(String),

    /// Something did not finish in time (media processing, a poll deadline).
    #[error("{}: timed out: {what}", platform.map(|p| p.as_str()).unwrap_or("creatorsync"))]
    Timeout {
        /// The platform, when known.
        platform: Option<Platform>,
        /// What was being waited for.
        what: String,
    },

    /// The operation was cancelled by the caller.
    #[error("cancelled")]
    Cancelled,

    /// Another call is publishing this target with the same idempotency
    /// key right now (it holds the target's lease in the publish log).
    /// Nothing was sent; ask again after `retry_after` to get its result.
    #[error(
        "{platform}: another call is publishing this target with the same idempotency key; ask again once it has finished"
    )]
    InProgress {
        /// The target's platform.
        platform: Platform,
        /// When the other call's lease runs out, if it is not renewed.
        retry_after: Option<Duration>,
    },

    /// The post was created on the platform, but a step after the create
    /// failed (processing, the permalink lookup, a status poll). The post
    /// exists: it is never created again for this idempotency key, and a
    /// later publish with the same key finishes the lookup instead.
    #[error("{platform}: the post was created ({post_id}) but finishing it failed: {cause}")]
    CreatedUnfinished {
        /// The platform.
        platform: Platform,
        /// The platform's id of what was created (post, video or publish id).
        post_id: String,
        /// The post's URL, when known.
        url: Option<String>,
        /// What failed after the create.
        cause: Box<Error>,
    },

    /// The create request may have reached the platform and the post could
    /// not be found (yet). Nothing is created again: publishing again with
    /// the same idempotency key looks the post up first.
    #[error(
        "{platform}: the post may have been created; it is looked up before anything is created again ({cause})"
    )]
    OutcomeUnknown {
        /// The platform.
        platform: Platform,
        /// The failure that left the outcome open.
        cause: Box<Error>,
    },
}

impl Error {
    /// The same error again, for each of several results one failure
    /// decides (every post of an account whose token is gone). The
    /// underlying `source` chains, which cannot be copied, are dropped.
    pub(crate) fn copy(&self) -> Error {
        match self {
            Error::NotConnected {
                user_id,
                platform,
                account,
            } => Error::NotConnected {
                user_id: user_id.clone(),
                platform: *platform,
                account: account.clone(),
            },
            Error::ReauthRequired {
                platform,
                account,
                reason,
            } => Error::ReauthRequired {
                platform: *platform,
                account: account.clone(),
                reason: reason.clone(),
            },
            Error::RateLimited {
                platform,
                retry_after,
                reset_at,
                message,
            } => Error::RateLimited {
                platform: *platform,
                retry_after: *retry_after,
                reset_at: *reset_at,
                message: message.clone(),
            },
            Error::QuotaExhausted {
                platform,
                bucket,
                limit,
                resets_at,
                message,
            } => Error::QuotaExhausted {
                platform: *platform,
                bucket: bucket.clone(),
                limit: *limit,
                resets_at: *resets_at,
                message: message.clone(),
            },
            Error::InvalidPost { violations } => Error::InvalidPost {
                violations: violations.clone(),
            },
            Error::InvalidInput { field, message } => Error::invalid_input(field, message),
            Error::InvalidTemplate { field, problem } => Error::InvalidTemplate {
                field: field.clone(),
                problem: problem.clone(),
            },
            Error::InvalidMedia {
                source_name,
                reason,
                ..
            } => Error::InvalidMedia {
                source_name: source_name.clone(),
                reason: reason.clone(),
                source: None,
            },
            Error::MediaRejected {
                platform,
                reason,
                code,
            } => Error::MediaRejected {
                platform: *platform,
                reason: reason.clone(),
                code: code.clone(),
            },
            Error::Duplicate { platform, message } => Error::Duplicate {
                platform: *platform,
                message: message.clone(),
            },
            Error::Platform {
                platform,
                status,
                code,
                message,
                body,
            } => Error::Platform {
                platform: *platform,
                status: *status,
                code: code.clone(),
                message: message.clone(),
                body: body.clone(),
            },
            Error::UnexpectedResponse {
                platform,
                status,
                message,
                body,
            } => Error::UnexpectedResponse {
                platform: *platform,
                status: *status,
                message: message.clone(),
                body: body.clone(),
            },
            Error::Unsupported { platform, message } => Error::Unsupported {
                platform: *platform,
                message: message.clone(),
            },
            Error::MissingScope {
                platform,
                account,
                scope,
            } => Error::MissingScope {
                platform: *platform,
                account: account.clone(),
                scope: scope.clone(),
            },
            Error::AuthorizationDenied {
                platform,
                error,
                description,
            } => Error::AuthorizationDenied {
                platform: *platform,
                error: error.clone(),
                description: description.clone(),
            },
            Error::InvalidState { problem } => Error::InvalidState { problem: *problem },
            Error::Transport {
                platform,
                message,
                maybe_sent,
                timeout,
                ..
            } => Error::Transport {
                platform: *platform,
                message: message.clone(),
                maybe_sent: *maybe_sent,
                timeout: *timeout,
                source: None,
            },
            Error::Conflict { current_version } => Error::Conflict {
                current_version: *current_version,
            },
            Error::Store { message, .. } => Error::Store {
                message: message.clone(),
                source: None,
            },
            Error::Key { key_id, message } => Error::Key {
                key_id: key_id.clone(),
                message: message.clone(),
            },
            Error::Config(m) => Error::Config(m.clone()),
            Error::Timeout { platform, what } => Error::Timeout {
                platform: *platform,
                what: what.clone(),
            },
            Error::Cancelled => Error::Cancelled,
            Error::InProgress {
                platform,
                retry_after,
            } => Error::InProgress {
                platform: *platform,
                retry_after: *retry_after,
            },
            Error::CreatedUnfinished {
                platform,
                post_id,
                url,
                cause,
            } => Error::CreatedUnfinished {
                platform: *platform,
                post_id: post_id.clone(),
                url: url.clone(),
                cause: Box::new(cause.copy()),
            },
            Error::OutcomeUnknown { platform, cause } => Error::OutcomeUnknown {
                platform: *platform,
                cause: Box::new(cause.copy()),
            },
        }
    }

    /// Shorthand for [`Error::InvalidInput`].
    pub fn invalid_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The one constructor of [`Error::UnexpectedResponse`]: `status` is the
    /// answer's real HTTP status when the caller has it, `body` is redacted
    /// here.
    pub fn unexpected_response(
        platform: Platform,
        status: Option<u16>,
        what: &str,
        body: Option<&str>,
    ) -> Self {
        Error::UnexpectedResponse {
            platform,
            status,
            message: what.to_owned(),
            body: body.map(crate::http::redact_text),
        }
    }

    /// [`Error::Transport`] without an underlying error.
    pub fn transport(
        platform: Option<Platform>,
        message: impl Into<String>,
        maybe_sent: bool,
        timeout: bool,
    ) -> Self {
        Error::Transport {
            platform,
            message: message.into(),
            maybe_sent,
            timeout,
            source: None,
        }
    }

    /// Shorthand for [`Error::InvalidMedia`] without an underlying error.
    pub fn invalid_media(source_name: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidMedia {
            source_name: source_name.into(),
            reason: reason.into(),
            source: None,
        }
    }

    /// Shorthand for [`Error::Store`] without an underlying error.
    pub fn store(message: impl fmt::Display) -> Self {
        Error::Store {
            message: message.to_string(),
            source: None,
        }
    }

    /// [`Error::Store`] caused by `source` (kept for
    /// [`std::error::Error::source`]; `message` should say what failed).
    pub fn store_caused_by(
        message: impl fmt::Display,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Store {
            message: message.to_string(),
            source: Some(Box::new(source)),
        }
    }

    /// Whether trying the same operation again later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::Conflict { .. } => true,
            Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::InProgress { .. } | Error::OutcomeUnknown { .. } => true,
            Error::Platform { status, .. } => *status >= 500 || *status == 408,
            _ => false,
        }
    }

    /// How long to wait before retrying, when known.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited {
                retry_after,
                reset_at,
                ..
            } => retry_after.or_else(|| {
                reset_at.map(|at| (at - Utc::now()).to_std().unwrap_or(Duration::ZERO))
            }),
            Error::InProgress { retry_after, .. } => *retry_after,
            Error::QuotaExhausted { resets_at, .. } => {
                Some((*resets_at - Utc::now()).to_std().unwrap_or(Duration::ZERO))
            }
            _ => None,
        }
    }

    /// The HTTP status of a platform answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Platform { status, .. } => Some(*status),
            Error::UnexpectedResponse { status, .. } => *status,
            Error::RateLimited { .. } | Error::QuotaExhausted { .. } => Some(429),
            _ => None,
        }
    }

    /// The platform the error came from, when there is one.
    pub fn platform(&self) -> Option<Platform> {
        match self {
            Error::NotConnected { platform, .. }
            | Error::ReauthRequired { platform, .. }
            | Error::RateLimited { platform, .. }
            | Error::QuotaExhausted { platform, .. }
            | Error::MediaRejected { platform, .. }
            | Error::Duplicate { platform, .. }
            | Error::Platform { platform, .. }
            | Error::UnexpectedResponse { platform, .. }
            | Error::MissingScope { platform, .. }
            | Error::Unsupported { platform, .. }
            | Error::InProgress { platform, .. }
            | Error::CreatedUnfinished { platform, .. }
            | Error::OutcomeUnknown { platform, .. }
            | Error::AuthorizationDenied { platform, .. } => Some(*platform),
            Error::Transport { platform, .. } | Error::Timeout { platform, .. } => *platform,
            _ => None,
        }
    }

    /// Whether the failed request may nevertheless have taken effect at the
    /// platform (a lost response to a create). Such a create must be
    /// reconciled, never blindly retried.
    pub fn maybe_committed(&self) -> bool {
        match self {
            Error::Transport { maybe_sent, .. } => *maybe_sent,
            Error::Platform { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// A stable code string for bindings (`NOT_CONNECTED`, `RATE_LIMITED`...).
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotConnected { .. } => "NOT_CONNECTED",
            Error::ReauthRequired { .. } => "REAUTH_REQUIRED",
            Error::RateLimited { .. } => "RATE_LIMITED",
            Error::QuotaExhausted { .. } => "QUOTA_EXHAUSTED",
            Error::InvalidPost { .. } => "INVALID_POST",
            Error::InvalidInput { .. } => "INVALID_INPUT",
            Error::InvalidMedia { .. } => "INVALID_MEDIA",
            Error::MediaRejected { .. } => "MEDIA_REJECTED",
            Error::Duplicate { .. } => "DUPLICATE",
            Error::Platform { .. } => "PLATFORM_ERROR",
            Error::UnexpectedResponse { .. } => "UNEXPECTED_RESPONSE",
            Error::Unsupported { .. } => "UNSUPPORTED",
            Error::MissingScope { .. } => "MISSING_SCOPE",
            Error::AuthorizationDenied { .. } => "AUTHORIZATION_DENIED",
            Error::InvalidState { .. } => "INVALID_STATE",
            Error::Transport { .. } => "TRANSPORT_ERROR",
            Error::Conflict { .. } => "CONFLICT",
            Error::Store { .. } => "STORE_ERROR",
            Error::Key { .. } => "KEY_ERROR",
            Error::Config(_) => "CONFIG_ERROR",
            Error::Timeout { .. } => "TIMEOUT",
            Error::Cancelled => "CANCELLED",
            Error::InProgress { .. } => "IN_PROGRESS",
            Error::CreatedUnfinished { .. } => "CREATED_UNFINISHED",
            Error::OutcomeUnknown { .. } => "OUTCOME_UNKNOWN",
            Error::InvalidTemplate { .. } => "INVALID_TEMPLATE",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_answered_by_methods() {
        let e = Error::RateLimited {
            platform: Platform::X,
            retry_after: Some(Duration::from_secs(7)),
            reset_at: None,
            message: "Too Many Requests".into(),
        };
        assert!(e.is_retryable());
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
        assert_eq!(e.status(), Some(429));
        assert_eq!(e.code(), "RATE_LIMITED");
        assert!(e.to_string().contains("retry after 7s"));

        let e = Error::ReauthRequired {
            platform: Platform::TikTok,
            account: None,
            reason: "refresh token revoked".into(),
        };
        assert!(!e.is_retryable());
        assert!(e.to_string().contains("reconnect"));
    }
}
