//! Which accounts a publish goes to.

use std::fmt;

use crate::{AccountKey, Error, Platform, StoredToken};

/// A publish target: every connected account of a platform, or one account.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// All connected accounts of the user on this platform.
    Platform(Platform),
    /// One specific account (e.g. one Facebook page).
    Account {
        /// The platform.
        platform: Platform,
        /// The account id.
        account_id: String,
    },
}

impl From<Platform> for Target {
    fn from(p: Platform) -> Self {
        Target::Platform(p)
    }
}

impl From<&AccountKey> for Target {
    fn from(k: &AccountKey) -> Self {
        Target::Account {
            platform: k.platform,
            account_id: k.account_id.clone(),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Platform(p) => write!(f, "{p}"),
            Target::Account {
                platform,
                account_id,
            } => write!(f, "{platform}/{account_id}"),
        }
    }
}

impl Target {
    /// The platform.
    pub fn platform(&self) -> Platform {
        match self {
            Target::Platform(p) | Target::Account { platform: p, .. } => *p,
        }
    }

    /// The error for this target when `user_id` has no account for it.
    pub(crate) fn not_connected(&self, user_id: &str) -> Error {
        Error::NotConnected {
            user_id: user_id.to_owned(),
            platform: self.platform(),
            account: match self {
                Target::Account { account_id, .. } => Some(account_id.clone()),
                Target::Platform(_) => None,
            },
        }
    }

    fn matches(&self, key: &AccountKey) -> bool {
        match self {
            Target::Platform(p) => key.platform == *p,
            Target::Account {
                platform,
                account_id,
            } => key.platform == *platform && &key.account_id == account_id,
        }
    }
}

/// Resolution of requested targets against the user's connected accounts.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    /// Accounts to publish to, in a stable order (platform order, then account id).
    pub(crate) accounts: Vec<StoredToken>,
    /// Requested targets with no connected account.
    pub(crate) missing: Vec<Target>,
}

/// Matches `targets` (empty: every connected account) against `connected`.
pub(crate) fn resolve(targets: &[Target], mut connected: Vec<StoredToken>) -> Resolved {
    connected.sort_by(|a, b| a.key.cmp(&b.key));
    if targets.is_empty() {
        return Resolved {
            accounts: connected,
            missing: Vec::new(),
        };
    }
    let mut out = Resolved::default();
    for t in targets {
        if !connected.iter().any(|c| t.matches(&c.key)) {
            out.missing.push(t.clone());
        }
    }
    out.accounts = connected
        .into_iter()
        .filter(|c| targets.iter().any(|t| t.matches(&c.key)))
        .collect();
    out
}
