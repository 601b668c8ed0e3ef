//! What the bindings hand back: accounts, status, health and the publish
//! report, serialized from the core's types in one shape.
//!
//! The shape is nested, as the Rust types are (`account.key.platform`,
//! `status.account.profile.handle`): a field has the same name and place
//! in Rust, Python and JavaScript, so one set of docs describes all three.
//! Keys are snake_case here; the Node binding camelCases them
//! ([`super::camel_keys`]).

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::auth::{AccountHealth, AccountStatus};
use crate::{Account, AccountKey, Error, Profile, PublishReport, TargetResult};

/// Which account: user, platform, account id.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct AccountKeyView {
    /// Your user id.
    pub user_id: String,
    /// `x`, `linkedin`, `facebook`, `instagram`, `youtube` or `tiktok`.
    pub platform: String,
    /// The account id on the platform (page id, organization URN, ...).
    pub account_id: String,
}

/// Who the account is.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ProfileView {
    /// The platform's user id.
    pub platform_user_id: String,
    /// `@handle`, when the platform has one.
    pub handle: Option<String>,
    /// The display name.
    pub display_name: Option<String>,
    /// `member`, `organization`, `page`, ... when it matters.
    pub kind: Option<String>,
}

/// A connected account.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct AccountView {
    /// Which account.
    pub key: AccountKeyView,
    /// Who it is.
    pub profile: ProfileView,
    /// When the access ends unless refreshed (RFC 3339).
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether the user must connect again.
    pub needs_reauth: bool,
}

/// An account's state, from the store.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct StatusView {
    /// The account.
    pub account: AccountView,
    /// Whether a token is stored.
    pub connected: bool,
    /// When the access ends unless refreshed.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether the user must connect again.
    pub needs_reauth: bool,
    /// Scopes publishing needs that the grant lacks.
    pub missing_scopes: Vec<String>,
    /// Whether the token can be refreshed without the user.
    pub can_refresh: bool,
}

/// An error inside a view (health, report): its stable code and message
/// (secrets redacted), and the answers of its question methods.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ErrorView {
    /// The stable code (`REAUTH_REQUIRED`, `RATE_LIMITED`, ...).
    pub code: String,
    /// What happened.
    pub message: String,
    /// The platform, when one is involved.
    pub platform: Option<String>,
    /// The platform's HTTP status, when it answered.
    pub status: Option<u16>,
    /// Whether trying again later may succeed.
    pub retryable: bool,
    /// Seconds to wait before trying again, when known.
    pub retry_after: Option<f64>,
    /// `QUOTA_EXHAUSTED` (and `RATE_LIMITED` when the platform said): when
    /// the quota or limit resets (RFC 3339).
    pub resets_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `QUOTA_EXHAUSTED`: the quota's name (`posts`, `uploads`, ...).
    pub bucket: Option<String>,
    /// `QUOTA_EXHAUSTED`: how many the window allows, when documented.
    pub limit: Option<u32>,
    /// `CREATED_UNFINISHED`: the id of what the platform created (publish
    /// again with the same idempotency key to finish).
    pub post_id: Option<String>,
    /// `CREATED_UNFINISHED`, `OUTCOME_UNKNOWN`: the failure after the
    /// create.
    pub cause: Option<Box<ErrorView>>,
}

/// A live check of one account.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct HealthView {
    /// Which account.
    pub key: AccountKeyView,
    /// Whether the token works.
    pub healthy: bool,
    /// Why not.
    pub error: Option<ErrorView>,
}

/// The outcome of one target. Flat (`platform`, `account_id`): the user
/// is the publish's own, and both bindings' reports had this shape.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct TargetResultView {
    /// The platform published to.
    pub platform: String,
    /// The account id on the platform.
    pub account_id: String,
    /// Whether the post was published (live now, or scheduled at the
    /// platform when `scheduled_for` is set).
    pub ok: bool,
    /// The post id, when published.
    pub post_id: Option<String>,
    /// The post URL, when published.
    pub url: Option<String>,
    /// Why not, when not.
    pub error: Option<ErrorView>,
    /// Milliseconds spent on this target.
    pub elapsed_ms: f64,
    /// Whether the result came from an earlier call with the same
    /// idempotency key (or was found at the platform), not published now.
    pub reused: bool,
    /// When the platform itself makes the post live (native scheduling:
    /// Facebook `scheduled_publish_time`, YouTube `publish_at`), RFC 3339;
    /// null when live now.
    pub scheduled_for: Option<chrono::DateTime<chrono::Utc>>,
    /// The thread's parts after the first, as far as they were tried (see
    /// docs/threads.md).
    pub parts: Vec<FollowUpView>,
    /// The first comment, when the post has one and it was tried.
    pub comment: Option<FollowUpView>,
    /// What a draft became on the platform (`unpublished`, `private`,
    /// `inbox`); null when published live.
    pub draft: Option<crate::DraftKind>,
}

/// One follow-up of a post (a thread part or the first comment).
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct FollowUpView {
    /// Whether it was published.
    pub ok: bool,
    /// Its id, when published.
    pub post_id: Option<String>,
    /// Its URL, when published.
    pub url: Option<String>,
    /// Why not, when not (publish again with the same key to go on).
    pub error: Option<ErrorView>,
}

impl From<&Result<crate::Published, Error>> for FollowUpView {
    fn from(r: &Result<crate::Published, Error>) -> Self {
        match r {
            Ok(p) => Self {
                ok: true,
                post_id: Some(p.post_id.clone()),
                url: Some(p.url.clone()),
                error: None,
            },
            Err(e) => Self {
                ok: false,
                post_id: None,
                url: None,
                error: Some(e.into()),
            },
        }
    }
}

/// The old backend's per-platform result.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct LegacyResultView {
    /// Whether the post was published.
    pub success: bool,
    /// The post id (this key keeps the old spelling).
    #[serde(rename = "postId")]
    pub post_id: Option<String>,
    /// The post URL.
    pub url: Option<String>,
    /// A human-readable message.
    pub message: String,
}

/// The report of one publish.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ReportView {
    /// Give it again to retry without double posting.
    pub idempotency_key: String,
    /// Whether every target was published.
    pub all_ok: bool,
    /// One result per target, in target order.
    pub results: Vec<TargetResultView>,
    /// The old backend's shape, keyed by platform (a second account of a
    /// platform: `platform:account_id`). Its keys are data, never renamed.
    pub legacy: std::collections::BTreeMap<String, LegacyResultView>,
    /// Milliseconds the whole publish took.
    pub elapsed_ms: f64,
}

impl From<&AccountKey> for AccountKeyView {
    fn from(k: &AccountKey) -> Self {
        Self {
            user_id: k.user_id.clone(),
            platform: k.platform.as_str().to_owned(),
            account_id: k.account_id.clone(),
        }
    }
}

impl From<&Profile> for ProfileView {
    fn from(p: &Profile) -> Self {
        Self {
            platform_user_id: p.platform_user_id.clone(),
            handle: p.handle.clone(),
            display_name: p.display_name.clone(),
            kind: p.kind.clone(),
        }
    }
}

impl From<&Account> for AccountView {
    fn from(a: &Account) -> Self {
        Self {
            key: (&a.key).into(),
            profile: (&a.profile).into(),
            expires_at: a.expires_at,
            needs_reauth: a.needs_reauth,
        }
    }
}

impl From<&AccountStatus> for StatusView {
    fn from(s: &AccountStatus) -> Self {
        Self {
            account: (&s.account).into(),
            connected: s.connected,
            expires_at: s.expires_at,
            needs_reauth: s.needs_reauth,
            missing_scopes: s.missing_scopes.clone(),
            can_refresh: s.can_refresh,
        }
    }
}

impl From<&Error> for ErrorView {
    fn from(e: &Error) -> Self {
        Self {
            code: e.code().to_owned(),
            message: e.to_string(),
            platform: e.platform().map(|p| p.as_str().to_owned()),
            status: e.status(),
            retryable: e.is_retryable(),
            retry_after: e.retry_after().map(|d| d.as_secs_f64()),
            resets_at: match e {
                Error::QuotaExhausted { resets_at, .. } => Some(*resets_at),
                Error::RateLimited { reset_at, .. } => *reset_at,
                _ => None,
            },
            bucket: match e {
                Error::QuotaExhausted { bucket, .. } => Some(bucket.clone()),
                _ => None,
            },
            limit: match e {
                Error::QuotaExhausted { limit, .. } => *limit,
                _ => None,
            },
            post_id: match e {
                Error::CreatedUnfinished { post_id, .. } => Some(post_id.clone()),
                _ => None,
            },
            cause: match e {
                Error::CreatedUnfinished { cause, .. } | Error::OutcomeUnknown { cause, .. } => {
                    Some(Box::new(cause.as_ref().into()))
                }
                _ => None,
            },
        }
    }
}

impl From<&AccountHealth> for HealthView {
    fn from(h: &AccountHealth) -> Self {
        Self {
            key: (&h.key).into(),
            healthy: h.healthy,
            error: h.error.as_ref().map(Into::into),
        }
    }
}

impl From<&TargetResult> for TargetResultView {
    fn from(r: &TargetResult) -> Self {
        let (post_id, url, error) = match &r.outcome {
            Ok(p) => (Some(p.post_id.clone()), Some(p.url.clone()), None),
            Err(e) => (None, None, Some(e.into())),
        };
        Self {
            platform: r.account.platform.as_str().to_owned(),
            account_id: r.account.account_id.clone(),
            ok: r.outcome.is_ok(),
            post_id,
            url,
            error,
            elapsed_ms: r.elapsed.as_secs_f64() * 1000.0,
            reused: r.reused,
            scheduled_for: r.scheduled_for,
            parts: r.parts.iter().map(Into::into).collect(),
            comment: r.comment.as_ref().map(Into::into),
            draft: r.draft,
        }
    }
}

impl From<&PublishReport> for ReportView {
    fn from(r: &PublishReport) -> Self {
        Self {
            idempotency_key: r.idempotency_key.clone(),
            all_ok: r.all_ok(),
            results: r.results.iter().map(Into::into).collect(),
            legacy: r
                .legacy()
                .into_iter()
                .map(|(k, l)| {
                    (
                        k,
                        LegacyResultView {
                            success: l.success,
                            post_id: l.post_id,
                            url: l.url,
                            message: l.message,
                        },
                    )
                })
                .collect(),
            elapsed_ms: r.elapsed.as_secs_f64() * 1000.0,
        }
    }
}

/// A view as JSON (views hold strings, numbers and booleans only, so this
/// cannot fail; `null` if it ever did).
pub fn to_json<T: Serialize>(view: &T) -> Value {
    serde_json::to_value(view).unwrap_or(Value::Null)
}

/// Accounts as JSON views.
pub fn accounts_json(all: &[Account]) -> Value {
    to_json(&all.iter().map(AccountView::from).collect::<Vec<_>>())
}

/// Statuses as JSON views.
pub fn status_json(all: &[AccountStatus]) -> Value {
    to_json(&all.iter().map(StatusView::from).collect::<Vec<_>>())
}

/// Health checks as JSON views.
pub fn health_json(all: &[AccountHealth]) -> Value {
    to_json(&all.iter().map(HealthView::from).collect::<Vec<_>>())
}

/// A report as its JSON view.
pub fn report_json(r: &PublishReport) -> Value {
    to_json(&ReportView::from(r))
}
