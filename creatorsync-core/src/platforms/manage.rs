//! What every platform's delete shares: a post already gone counts as
//! deleted. Each platform's calls live in its own `manage.rs`; the scope
//! check before any request is `common::require_scope`.

use crate::{Error, Result};

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
    use crate::Platform;

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
