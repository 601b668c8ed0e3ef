//! Credentials and the stored token record.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Account, AccountKey, Profile, Secret};

/// A credential for one account. Always holds its secrets in [`Secret`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Credential {
    /// OAuth 1.0a user token (X).
    #[serde(rename = "oauth1")]
    OAuth1 {
        /// `oauth_token`.
        token: Secret<String>,
        /// `oauth_token_secret`.
        secret: Secret<String>,
    },
    /// OAuth 2.0 bearer token, with an optional refresh token.
    #[serde(rename = "oauth2")]
    OAuth2 {
        /// The access token.
        access: Secret<String>,
        /// The refresh token, when the platform issued one.
        refresh: Option<Secret<String>>,
        /// When the access token expires (None: no expiry known).
        expires_at: Option<DateTime<Utc>>,
        /// When the refresh token expires, when the platform says.
        refresh_expires_at: Option<DateTime<Utc>>,
        /// Granted scopes.
        scopes: Vec<String>,
        /// The user token behind `access`, kept where a platform needs it
        /// beside the account's own token (Meta: the long-lived user token
        /// a Page token came from; the Resumable Upload API takes only user
        /// tokens). Encrypted with the rest of the credential; absent in
        /// rows written before it existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user_token: Option<Secret<String>>,
    },
}

impl Credential {
    /// When the usable credential expires (None: never / unknown).
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Credential::OAuth1 { .. } => None,
            Credential::OAuth2 { expires_at, .. } => *expires_at,
        }
    }

    /// Whether the credential expires within `skew` from `now` (or already
    /// has). A `skew` reaching past the representable date range covers
    /// every expiry (never a panic, never a silent zero).
    pub fn expires_within(&self, now: DateTime<Utc>, skew: Duration) -> bool {
        let limit = chrono::Duration::from_std(skew)
            .ok()
            .and_then(|d| now.checked_add_signed(d));
        match (self.expires_at(), limit) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(at), Some(limit)) => at <= limit,
        }
    }

    /// Whether this credential can be refreshed without the user.
    pub fn can_refresh(&self) -> bool {
        matches!(
            self,
            Credential::OAuth2 {
                refresh: Some(_),
                ..
            }
        )
    }

    /// The granted scopes (empty for OAuth 1.0a).
    pub fn scopes(&self) -> &[String] {
        match self {
            Credential::OAuth1 { .. } => &[],
            Credential::OAuth2 { scopes, .. } => scopes,
        }
    }
}

/// A token as kept in a [`crate::TokenStore`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredToken {
    /// Whose token this is.
    pub key: AccountKey,
    /// The credential.
    pub credential: Credential,
    /// The account's profile at connect time.
    pub profile: Profile,
    /// Store version, bumped by every successful `put` (set by the store).
    pub version: u64,
    /// Last write time.
    pub updated_at: DateTime<Utc>,
    /// Set when the platform refused the token; the user must reconnect.
    pub needs_reauth: bool,
    /// Non-secret per-platform data (e.g. the Facebook page an Instagram
    /// account belongs to, a LinkedIn author URN).
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

impl StoredToken {
    /// A new record (version 0: not yet stored).
    pub fn new(key: AccountKey, credential: Credential, profile: Profile) -> Self {
        Self {
            key,
            credential,
            profile,
            version: 0,
            updated_at: Utc::now(),
            needs_reauth: false,
            metadata: BTreeMap::new(),
        }
    }

    /// The public view of this record.
    pub fn account(&self) -> Account {
        Account {
            key: self.key.clone(),
            profile: self.profile.clone(),
            expires_at: self.credential.expires_at(),
            needs_reauth: self.needs_reauth,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_within_is_total_in_the_skew() {
        let now = Utc::now();
        let c = Credential::OAuth2 {
            access: Secret::from("a"),
            refresh: None,
            expires_at: Some(now + chrono::Duration::hours(1)),
            refresh_expires_at: None,
            scopes: vec![],
            user_token: None,
        };
        assert!(!c.expires_within(now, Duration::from_secs(60)));
        assert!(c.expires_within(now, Duration::from_secs(7200)));
        // Past the date range (it panicked) and past chrono's span (it
        // counted as zero): every expiry is within.
        for skew in [Duration::from_secs(400_000 * 365 * 86_400), Duration::MAX] {
            assert!(c.expires_within(now, skew), "{skew:?}");
        }
    }
}
