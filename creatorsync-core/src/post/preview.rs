//! Completing a [`LinkPreview`] from the page's Open Graph tags
//! (`og:title`, `og:description`, `og:image`), fetched through the
//! SSRF-guarded [`UrlSource`] (the media URL fetcher: same address checks
//! on every redirect hop), reading at most [`PAGE_MAX_BYTES`] within
//! [`PAGE_TIMEOUT`].

use std::time::Duration;

use scraper::{Html, Selector};

use super::content::LinkPreview;
use crate::media::UrlSource;
use crate::{Error, Result};

/// The most of a page read for its tags (they sit in `<head>`).
pub(crate) const PAGE_MAX_BYTES: u64 = 512 * 1024;
/// How long fetching a page may take, redirects included.
pub(crate) const PAGE_TIMEOUT: Duration = Duration::from_secs(10);

/// The Open Graph tags of an HTML page: `(title, description, image)`,
/// each trimmed and None when absent or empty. `og:image` is resolved
/// against `base` and kept only when it is an http(s) URL.
pub(crate) fn open_graph(
    html: &str,
    base: &url::Url,
) -> (Option<String>, Option<String>, Option<String>) {
    let doc = Html::parse_document(html);
    let Ok(meta) = Selector::parse("meta[property], meta[name]") else {
        return (None, None, None);
    };
    let mut found = [None, None, None];
    for el in doc.select(&meta) {
        let v = el.value();
        let key = v
            .attr("property")
            .or_else(|| v.attr("name"))
            .unwrap_or_default();
        let slot = match key.trim().to_ascii_lowercase().as_str() {
            "og:title" => 0,
            "og:description" => 1,
            "og:image" | "og:image:url" | "og:image:secure_url" => 2,
            _ => continue,
        };
        let content = v.attr("content").map(str::trim).filter(|c| !c.is_empty());
        if found[slot].is_none() {
            found[slot] = content.map(str::to_owned);
        }
    }
    let [title, description, image] = found;
    let image = image
        .and_then(|i| base.join(&i).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(String::from);
    (title, description, image)
}

impl LinkPreview {
    /// Whether the card lacks its title (so the page's tags are needed).
    pub fn needs_fetch(&self) -> bool {
        self.title.as_deref().is_none_or(|t| t.trim().is_empty())
    }

    /// Fills the fields the caller left empty from the page's Open Graph
    /// tags. `Ok(false)`: the page has no `og:title` (publish without a
    /// card). Errors: the URL is refused by the SSRF guard, unreachable,
    /// or too slow ([`Error::Transport`] with `timeout`).
    pub async fn fetch_open_graph(&mut self) -> Result<bool> {
        let source = UrlSource::builder(self.url.clone())
            .allow_loopback(self.allow_loopback)
            .max_bytes(PAGE_MAX_BYTES)
            .build()?;
        let (_, body) = tokio::time::timeout(PAGE_TIMEOUT, source.fetch_head_of_body())
            .await
            .map_err(|_| Error::Transport {
                platform: None,
                message: format!(
                    "fetching the link preview of {}: no answer within {} s",
                    crate::http::redact_url(source.url()),
                    PAGE_TIMEOUT.as_secs()
                ),
                maybe_sent: false,
                timeout: true,
                source: None,
            })??;
        let html = String::from_utf8_lossy(&body);
        let (title, description, image) = open_graph(&html, source.url());
        let found = title.is_some();
        if self.needs_fetch() {
            self.title = title;
        }
        if self.description.is_none() {
            self.description = description;
        }
        if self.thumbnail.is_none() {
            self.thumbnail = image;
        }
        Ok(found)
    }
}

/// `post` with its link card completed from the page when the caller gave
/// only a URL and a platform in `modules` shows cards; None when nothing
/// was fetched. A page without tags, or one that cannot be fetched, never
/// fails the publish: the post keeps its bare link and the warning says so.
pub(crate) async fn complete(
    post: &crate::Post,
    modules: &[&dyn crate::platforms::PlatformModule],
) -> (Option<crate::Post>, Vec<String>) {
    use crate::platforms::content::LinkPlacement;
    let Some(link) = post.link.as_ref().filter(|l| l.needs_fetch()) else {
        return (None, Vec::new());
    };
    // Would a platform show a card once the link has its title?
    let mut titled = post.clone();
    if let Some(l) = titled.link.as_mut() {
        l.title = Some(l.url.clone());
    }
    if !modules
        .iter()
        .any(|m| m.link_placement(&titled) == LinkPlacement::Card)
    {
        return (None, Vec::new());
    }
    let mut link = link.clone();
    let shown = url::Url::parse(&link.url)
        .map(|u| crate::http::redact_url(&u))
        .unwrap_or_else(|_| crate::http::redact_url_str(&link.url));
    let warning = match link.fetch_open_graph().await {
        Ok(true) => None,
        Ok(false) => Some(format!(
            "the page {shown} has no og:title; published without a link card"
        )),
        Err(e) => Some(format!(
            "no link card: the preview of {shown} could not be fetched ({e})"
        )),
    };
    if let Some(w) = &warning {
        tracing::warn!("{w}");
    }
    let mut out = post.clone();
    out.link = Some(link);
    (Some(out), warning.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_og_tags_and_resolves_the_image() {
        let base = url::Url::parse("http://127.0.0.1:1/post/a").unwrap();
        let html = r#"<html><head>
            <meta property="og:title" content=" A &amp; B ">
            <meta name="og:description" content="Desc">
            <meta property="og:image" content="/img/t.png">
            <meta property="og:title" content="second title ignored">
            </head><body><meta property="og:image" content="javascript:x"></body></html>"#;
        let (t, d, i) = open_graph(html, &base);
        assert_eq!(t.as_deref(), Some("A & B"));
        assert_eq!(d.as_deref(), Some("Desc"));
        assert_eq!(i.as_deref(), Some("http://127.0.0.1:1/img/t.png"));
        assert_eq!(open_graph("<p>no tags", &base), (None, None, None));
        let (.., i) = open_graph(
            r#"<meta property="og:image" content="file:///etc/passwd">"#,
            &base,
        );
        assert_eq!(i, None);
    }
}
