//! Who a token belongs to: [`AccountKey`], [`Profile`], [`Account`].

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Error, Platform, Result};

/// Identifies one connected account of one of *your* users.
///
/// `account_id` distinguishes several accounts of one user on one platform:
/// the Facebook page id, the LinkedIn organization id (or the member id), the
/// Instagram professional account id. For platforms where a user connects a
/// single account it is the platform's user id.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountKey {
    /// Your application's user id (opaque to CreatorSync).
    pub user_id: String,
    /// The platform.
    pub platform: Platform,
    /// The platform-side account id (page, organization, channel, user).
    pub account_id: String,
}

impl AccountKey {
    /// Builds a key, rejecting empty or oversized ids and control characters.
    pub fn new(
        user_id: impl Into<String>,
        platform: Platform,
        account_id: impl Into<String>,
    ) -> Result<Self> {
        let user_id = user_id.into();
        let account_id = account_id.into();
        check_id("user_id", &user_id)?;
        check_id("account_id", &account_id)?;
        Ok(Self {
            user_id,
            platform,
            account_id,
        })
    }
}

/// Validates an identifier supplied by the caller.
pub(crate) fn check_id(field: &'static str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    if value.len() > 256 {
        return Err(Error::invalid_input(field, "must be at most 256 bytes"));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid_input(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

impl fmt::Display for AccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.user_id, self.platform, self.account_id)
    }
}

/// Public profile of a connected account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The platform's id for this account (X user id, page id, channel id...).
    pub platform_user_id: String,
    /// Handle / username without `@` where the platform has one.
    pub handle: Option<String>,
    /// Human readable name.
    pub display_name: Option<String>,
    /// Account kind on the platform (e.g. `person`, `organization`, `page`,
    /// `instagram_business`, `channel`).
    pub kind: Option<String>,
}

/// A connected account as reported to the host application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Key of the account.
    pub key: AccountKey,
    /// Profile as last fetched.
    pub profile: Profile,
    /// When the access credential expires (None: does not expire).
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether the user must reconnect.
    pub needs_reauth: bool,
}
