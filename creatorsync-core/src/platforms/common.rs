//! Small helpers several platform clients share.

use crate::{Credential, Error, Platform, Result, StoredToken};

/// The upload session of media `index` of a publish, keyed by the
/// request's `session_key`.
pub(crate) fn upload_session<'a, T>(
    req: &'a super::PublishRequest<'_>,
    index: usize,
) -> crate::upload::Stored<'a, T>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    crate::upload::Stored::new(&*req.sessions, format!("{}:{index}", req.session_key))
}

/// A multipart part whose bytes stream from `[offset, offset + len)` of
/// `source` (memory: a couple of pieces, whatever `len`).
pub(crate) fn streamed_part(
    source: &std::sync::Arc<dyn crate::MediaSource>,
    offset: u64,
    len: u64,
    piece: u64,
) -> reqwest::multipart::Part {
    let body = crate::upload::range_body(source.clone(), offset, len, piece);
    reqwest::multipart::Part::stream_with_length(body, len).file_name("media")
}

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

/// Fails with [`Error::MissingScope`] (naming the first of `any`) when the
/// account lists its granted scopes and holds none of `any`. A credential
/// that lists none (OAuth 1.0a, a platform that does not echo scopes) is
/// let through: the platform's own answer decides.
pub(crate) fn require_scope(account: &StoredToken, any: &[&str]) -> Result<()> {
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

/// Normalizes text for "is this the post we tried to create" comparisons:
/// trims and collapses whitespace.
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    norm(a) == norm(b)
}

/// One item of a platform's listing (recent posts, a post's comments), as
/// far as finding a create whose answer was lost needs it. What the
/// listing does not say is `None` and does not rule the item out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Listed<'a> {
    /// Who made it (an account id or URN).
    pub(crate) author: Option<&'a str>,
    /// When the platform says it was made.
    pub(crate) created: Option<chrono::DateTime<chrono::Utc>>,
    /// Its text as the platform shows it.
    pub(crate) text: &'a str,
}

impl Listed<'_> {
    /// Whether this is what an attempt made: `author`'s (when `Some`), not
    /// older than `since` (the attempt's start less the clock-skew
    /// allowance, as reconciliation passes it), with the text sent (one of
    /// `texts`, whitespace aside).
    pub(crate) fn made_by(
        &self,
        author: Option<&str>,
        since: chrono::DateTime<chrono::Utc>,
        texts: &[&str],
    ) -> bool {
        let ours = match (author, self.author) {
            (Some(want), Some(got)) => want == got,
            _ => true,
        };
        ours && self.created.is_none_or(|at| at >= since)
            && texts.iter().any(|t| same_text(self.text, t))
    }
}

/// A one-violation [`Error::InvalidPost`] for `platform` (checks a client
/// can only make once it knows the account, e.g. TikTok's creator settings).
pub(crate) fn invalid_post(platform: Platform, field: &str, code: &str, message: String) -> Error {
    Error::InvalidPost {
        violations: vec![crate::Violation {
            platform: Some(platform),
            field: field.to_owned(),
            code: code.to_owned(),
            message,
        }],
    }
}

/// The first non-empty line of `text`, trimmed, cut to `max` characters
/// (default titles: YouTube 100, TikTok photo 90).
pub(crate) fn first_line(text: &str, max: usize) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    line.chars().take(max).collect()
}

/// Whether `url` (an upload URL the platform handed out) points at one of
/// the platform's own hosts, so the access token may be sent to it.
pub(crate) fn on_platform_host(endpoints: &crate::Endpoints, url: &url::Url) -> bool {
    [&endpoints.upload, &endpoints.api]
        .iter()
        .any(|base| base.origin() == url.origin())
}

/// Resolves an upload URL handed out by the platform (absolute, or relative
/// to the upload host) and refuses one on a foreign host.
pub(crate) fn platform_upload_url(
    platform: Platform,
    endpoints: &crate::Endpoints,
    raw: &str,
) -> Result<url::Url> {
    let url = endpoints.upload.join(raw).map_err(|e| {
        Error::unexpected_response(
            platform,
            None,
            &format!("the upload URL is not a URL: {e}"),
            None,
        )
    })?;
    if !on_platform_host(endpoints, &url) {
        return Err(Error::unexpected_response(
            platform,
            None,
            &format!(
                "the upload URL points at {}, not at {platform}'s upload host; refusing to send media or tokens there",
                url.host_str().unwrap_or("?")
            ),
            None,
        ));
    }
    Ok(url)
}

/// The error for an operation the platform's API does not offer.
pub(crate) fn unsupported(platform: Platform, message: &str) -> Error {
    Error::Unsupported {
        platform,
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AccountKey, Credential, Profile, Secret};

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
        assert!(require_scope(&row(&["youtube"]), &need).is_ok());
        assert!(require_scope(&row(&[]), &need).is_ok());
        let e = require_scope(&row(&["youtube.upload"]), &need).unwrap_err();
        assert_eq!(e.code(), "MISSING_SCOPE");
        assert!(e.to_string().contains("`youtube.force-ssl`"), "{e}");
    }

    /// A listed item is ours only with our author (when both say one), not
    /// older than `since`, and the text sent; what the
    /// listing leaves out does not rule it out.
    #[test]
    fn a_listed_item_is_ours_by_author_time_and_text() {
        let since: chrono::DateTime<chrono::Utc> = "2026-12-04T12:00:00Z".parse().unwrap();
        let at = |s: &str| Some(s.parse().unwrap());
        let item = |author, created, text| Listed {
            author,
            created,
            text,
        };
        let ours = item(Some("me"), at("2026-12-04T12:00:00Z"), "Hello  world");
        assert!(ours.made_by(Some("me"), since, &["Hello world"]));
        assert!(ours.made_by(None, since, &["other", "Hello world"]));
        assert!(!ours.made_by(Some("someone else"), since, &["Hello world"]));
        assert!(!ours.made_by(Some("me"), since, &["Hello"]));
        let old = item(Some("me"), at("2026-12-04T11:59:59Z"), "Hello world");
        assert!(!old.made_by(Some("me"), since, &["Hello world"]));
        let bare = item(None, None, "Hello world");
        assert!(bare.made_by(Some("me"), since, &["Hello world"]));
    }

    #[test]
    fn text_helpers() {
        assert!(same_text(" a  b\n", "a b"));
        assert_eq!(first_line("\n  Hello world  \nmore", 5), "Hello");
        assert_eq!(first_line("", 5), "");
    }
}
