//! The platform side of what a post says: each platform's alt text rule,
//! how it writes a mention and where a post's link goes (all stated by its
//! module), and the text a client sends, rendered here once from
//! [`Post::text_for`], [`Post::mentions`] and [`Post::link`].
//!
//! Validation measures the rendered text, so the length a platform counts
//! is the length of what is sent (mentions and links expanded).

use super::{PlatformModule, Registry};
use crate::post::content::{Segment, segments};
use crate::{Error, MediaKind, Platform, Post, Result, Violation};

/// A platform's alt text on images, as data with its source.
#[derive(Debug)]
pub(crate) struct AltTextRule {
    /// The longest alt text in characters; None where the platform
    /// documents no limit (the SDK does not invent one).
    pub(crate) max_chars: Option<usize>,
    /// The media kinds that carry it (alt text on other kinds is not sent).
    pub(crate) kinds: &'static [MediaKind],
    /// The request field it is sent in.
    pub(crate) field: &'static str,
    /// Where the facts come from, and when they were read.
    pub(crate) source: &'static str,
}

/// How a platform writes one mention.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum MentionForm {
    /// The text to send in its place.
    Text(String),
    /// The id cannot be a mention there (why).
    Invalid(String),
}

/// Where a post's link goes on a platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LinkPlacement {
    /// The platform's link card (LinkedIn article, Facebook `link`).
    Card,
    /// The URL is appended to the text (the platform links URLs in text).
    InText,
    /// Not shown: the platform has no clickable links in posts.
    Dropped,
}

/// `@handle`: the mention of every platform whose ids are handles. A
/// handle is 1–100 letters, digits, `_`, `.` or `-` (the union of the
/// platforms' handle alphabets); a leading `@` is dropped.
pub(crate) fn handle_mention(id: &str) -> MentionForm {
    let handle = id.strip_prefix('@').unwrap_or(id);
    let ok = (1..=100).contains(&handle.chars().count())
        && handle
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        MentionForm::Text(format!("@{handle}"))
    } else {
        MentionForm::Invalid(format!(
            "{id:?} is not a handle (letters, digits, `_`, `.` or `-`, without spaces)"
        ))
    }
}

fn violation(platform: Platform, field: String, code: &str, message: String) -> Violation {
    Violation {
        platform: Some(platform),
        field,
        code: code.to_owned(),
        message,
    }
}

/// The text `module`'s platform sends for `post`: its text with mentions
/// written the platform's way, plain text escaped as the platform needs
/// (LinkedIn's little text) and the link appended where it goes in the
/// text. `Err`: what stops the text from being written.
pub(crate) fn render(
    module: &dyn PlatformModule,
    post: &Post,
) -> std::result::Result<String, Vec<Violation>> {
    let platform = module.platform();
    let name = module.display_name();
    let text = post.text_for(platform);
    let mut bad = Vec::new();
    let mut out = if post.mentions.is_empty() {
        module.escape_text(text)
    } else {
        let mut out = String::with_capacity(text.len() + 16);
        for segment in segments(text) {
            let key = match segment {
                Segment::Text(t) => {
                    out.push_str(&module.escape_text(t));
                    continue;
                }
                Segment::Mention(key) => key,
            };
            let Some(mention) = post.mentions.get(key) else {
                bad.push(violation(
                    platform,
                    "text".into(),
                    "unknown_mention",
                    format!("@{{{key}}} names no entry of mentions; add it or fix the key"),
                ));
                continue;
            };
            match mention.ids.get(&platform) {
                Some(id) => match module.mention(&mention.name, id) {
                    MentionForm::Text(t) => out.push_str(&t),
                    MentionForm::Invalid(why) => bad.push(violation(
                        platform,
                        format!("mentions.{key}"),
                        "invalid_mention",
                        format!("mention {key:?} on {name}: {why}"),
                    )),
                },
                None if post.mention_fallback && !mention.name.is_empty() => {
                    out.push_str(&module.escape_text(&mention.name));
                }
                None => bad.push(violation(
                    platform,
                    format!("mentions.{key}"),
                    "mention_without_id",
                    format!(
                        "mention {key:?} has no {name} id; add one (ids.{platform}) or set mention_fallback to write its name"
                    ),
                )),
            }
        }
        out
    };
    if let Some(link) = &post.link
        && module.link_placement(post) == LinkPlacement::InText
        && !text.contains(link.url.as_str())
    {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&module.escape_text(&link.url));
    }
    if bad.is_empty() { Ok(out) } else { Err(bad) }
}

/// The text `platform`'s client sends for `post` ([`render`] through the
/// standard registry); a post whose text cannot be written is
/// [`Error::InvalidPost`].
pub(crate) fn text(platform: Platform, post: &Post) -> Result<String> {
    let module = Registry::standard().get(platform)?;
    render(module, post).map_err(|violations| Error::InvalidPost { violations })
}

/// The alt texts `module`'s platform refuses, and a link it cannot use.
pub(crate) fn check(module: &dyn PlatformModule, post: &Post, out: &mut super::Check) {
    if let Some(rule) = module.alt_text() {
        for (i, m) in post.media.iter().enumerate() {
            let (Some(alt), Some(max)) = (m.alt_text(), rule.max_chars) else {
                continue;
            };
            let len = alt.chars().count();
            if rule.kinds.contains(&m.kind()) && len > max {
                out.push(
                    format!("media[{i}].alt_text"),
                    "alt_text_too_long",
                    format!(
                        "the alt text is {len} characters, {} takes at most {max} ({}); shorten it by {}",
                        module.display_name(),
                        rule.source,
                        len - max
                    ),
                );
            }
        }
    }
    if let Some(link) = &post.link {
        let ok = url::Url::parse(&link.url)
            .ok()
            .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !ok {
            out.push(
                "link.url",
                "invalid_link",
                format!("{:?} is not an http(s) URL", link.url),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LinkPreview, Mention};

    fn module(p: Platform) -> &'static dyn PlatformModule {
        Registry::standard().get(p).unwrap()
    }

    fn post() -> Post {
        Post::text("Thanks @{ada} & @{bob} (really)").with_mention(
            "ada",
            Mention::new("Ada [L]")
                .with_id(Platform::X, "ada_l")
                .with_id(Platform::LinkedIn, "urn:li:person:123")
                .with_id(Platform::Instagram, "@ada.l"),
        )
    }

    #[test]
    fn each_platform_writes_mentions_its_way() {
        let p = post().with_mention("bob", Mention::new("Bob").with_id(Platform::X, "bob"));
        assert_eq!(
            render(module(Platform::X), &p).unwrap(),
            "Thanks @ada_l & @bob (really)"
        );
        let li = render(
            module(Platform::LinkedIn),
            &p.clone().with_mention(
                "bob",
                Mention::new("Bob").with_id(Platform::LinkedIn, "urn:li:organization:9"),
            ),
        )
        .unwrap();
        assert_eq!(
            li,
            "Thanks @[Ada \\[L\\]](urn:li:person:123) & @[Bob](urn:li:organization:9) \\(really\\)"
        );
    }

    #[test]
    fn a_mention_without_an_id_is_a_violation_unless_falling_back() {
        let p = post().with_mention("bob", Mention::new("Bob"));
        let v = render(module(Platform::Instagram), &p).unwrap_err();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].code, "mention_without_id");
        assert_eq!(v[0].field, "mentions.bob");
        assert!(v[0].message.contains("Instagram"), "{}", v[0].message);
        let mut p = p;
        p.mention_fallback = true;
        assert_eq!(
            render(module(Platform::Instagram), &p).unwrap(),
            "Thanks @ada.l & Bob (really)"
        );
        // An unknown key is a typo, whatever the fallback.
        let typo = Post {
            text: "hi @{nobody}".into(),
            ..p
        };
        let v = render(module(Platform::X), &typo).unwrap_err();
        assert_eq!(v[0].code, "unknown_mention");
    }

    #[test]
    fn bad_ids_are_refused() {
        let p = Post::text("@{a}").with_mention(
            "a",
            Mention::new("A")
                .with_id(Platform::X, "two words")
                .with_id(Platform::LinkedIn, "https://linkedin.com/in/a"),
        );
        assert_eq!(
            render(module(Platform::X), &p).unwrap_err()[0].code,
            "invalid_mention"
        );
        assert_eq!(
            render(module(Platform::LinkedIn), &p).unwrap_err()[0].code,
            "invalid_mention"
        );
    }

    #[test]
    fn without_mentions_the_text_is_kept_and_links_go_where_the_platform_shows_them() {
        let p = Post::text("Read @{this}").with_link(LinkPreview::new("https://example.com/a"));
        assert_eq!(
            render(module(Platform::X), &p).unwrap(),
            "Read @{this}\n\nhttps://example.com/a"
        );
        // LinkedIn: a bare link goes in the text; with a title it is the
        // article card, not text.
        assert_eq!(
            render(module(Platform::LinkedIn), &p).unwrap(),
            "Read \\@\\{this\\}\n\nhttps://example.com/a"
        );
        let mut titled = p.clone();
        titled.link.as_mut().unwrap().title = Some("A".into());
        assert_eq!(
            render(module(Platform::LinkedIn), &titled).unwrap(),
            "Read \\@\\{this\\}"
        );
        assert_eq!(
            render(module(Platform::Instagram), &p).unwrap(),
            "Read @{this}"
        );
        // Already in the text: not appended twice.
        let p = Post::text("See https://example.com/a")
            .with_link(LinkPreview::new("https://example.com/a"));
        assert_eq!(
            render(module(Platform::X), &p).unwrap(),
            "See https://example.com/a"
        );
    }
}
