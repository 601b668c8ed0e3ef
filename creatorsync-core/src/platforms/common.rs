//! Small helpers several platform clients share.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{Credential, Error, Platform, Result, StoredToken};

/// The bearer access token of an OAuth 2.0 credential.
pub(crate) fn access_token(platform: Platform, account: &StoredToken) -> Result<&str> {
    match &account.credential {
        Credential::OAuth2 { access, .. } => Ok(access.expose().as_str()),
        Credential::OAuth1 { .. } => Err(Error::Config(format!(
            "{platform}: account {} holds an OAuth 1.0a token, which {platform} does not use",
            account.key.account_id
        ))),
    }
}

/// Meta's `appsecret_proof`: hex(HMAC-SHA256(key = app secret, msg = access token)).
pub(crate) fn appsecret_proof(app_secret: &str, access_token: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(app_secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(access_token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Normalizes text for "is this the post we tried to create" comparisons:
/// trims and collapses whitespace.
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proof_matches_reference() {
        // Reference: python -c "import hmac,hashlib;print(hmac.new(b'secret',b'token',hashlib.sha256).hexdigest())"
        assert_eq!(
            appsecret_proof("secret", "token"),
            "e941110e3d2bfe82621f0e3e1434730d7305d106c5f68c87165d0b27a4611a4a"
        );
        assert!(same_text(" a  b\n", "a b"));
    }
}
