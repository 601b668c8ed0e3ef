//! What every platform's edit and delete share: the scope check before any
//! request and the rule that a post already gone counts as deleted. Each
//! platform's calls live in its own `manage.rs`.

use crate::{Error, Result, StoredToken};

/// Fails with [`Error::MissingScope`] (naming the first of `any`) when the
/// account lists its granted scopes and holds none of `any`. A credential
/// that lists none is let through: the platform's own answer decides.
pub(crate) fn require_any(account: &StoredToken, any: &[&str]) -> Result<()> {
    let granted = account.credential.scopes();
    if granted.is_empty() || any.iter().any(|s| granted.iter().any(|g| g == s)) {
        return Ok(());
    }
    Err(Error::MissingScope {
        platform: account.key.platform,
        account: Some(account.key.account_id.clone()),
        scope: any.first().copied().unwrap_or_default().to_owned(),
    })
}

/// A delete's outcome: the platform's answer that the post does not exist
/// (`gone`, in the platform's own error shape) means an earlier attempt or
/// someone else deleted it, which is what the caller asked for.
pub(crate) fn deleted<T>(answer: Result<T>, gone: impl Fn(&Error) -> bool) -> Result<()> {
    match answer {
        Ok(_) => Ok(()),
        Err(e) if gone(&e) => {
            tracing::debug!(error = %e, "post already gone: delete succeeds");
            Ok(())
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AccountKey, Credential, Platform, Profile, Secret};

    fn row(scopes: &[&str]) -> StoredToken {
        StoredToken::new(
            AccountKey::new("u", Platform::YouTube, "c").unwrap(),
            Credential::OAuth2 {
                access: Secret::new("t".into()),
                refresh: None,
                expires_at: None,
                refresh_expires_at: None,
                scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
                user_token: None,
            },
            Profile::default(),
        )
    }

    #[test]
    fn any_listed_scope_passes_and_none_names_the_first() {
        let need = ["youtube.force-ssl", "youtube"];
        assert!(require_any(&row(&["youtube"]), &need).is_ok());
        assert!(require_any(&row(&[]), &need).is_ok());
        let e = require_any(&row(&["youtube.upload"]), &need).unwrap_err();
        assert_eq!(e.code(), "MISSING_SCOPE");
        assert!(e.to_string().contains("`youtube.force-ssl`"), "{e}");
    }

    #[test]
    fn only_the_gone_answer_becomes_success() {
        let not_found = || Error::Platform {
            platform: Platform::X,
            status: 404,
            code: None,
            message: "gone".into(),
            body: None,
        };
        let is_404 = |e: &Error| e.status() == Some(404);
        assert!(deleted::<()>(Err(not_found()), is_404).is_ok());
        let other = Error::Platform {
            platform: Platform::X,
            status: 403,
            code: None,
            message: "no".into(),
            body: None,
        };
        assert_eq!(
            deleted::<()>(Err(other), is_404).unwrap_err().status(),
            Some(403)
        );
    }
}
