//! Reusable posts: a [`Template`] is a post whose texts hold `{{variable}}`
//! placeholders (syntax in [`TemplateProblem`]'s module docs and
//! `docs/templates.md`), with per-platform text variants, default media and
//! default options. [`Template::render`] fills the variables and builds an
//! ordinary [`Post`] through the same path as a post from a binding;
//! [`Template::render_for`] also validates it for the targets.
//!
//! [`TemplateStore`] keeps templates per user in the key-value store the
//! client already uses (`creatorsync/template/{user}/{name}`), with
//! compare-and-swap updates.

mod store;
mod syntax;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::contract::{MediaInput, PostInput, PostSpec};
use crate::{Error, Platform, PlatformOptions, Post, Result, validate_all};

pub use store::{StoredTemplate, TemplateStore};
pub use syntax::TemplateProblem;

/// A post with `{{variable}}` placeholders in its texts, media locations,
/// alt texts and string options.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use creatorsync_core::templates::{Template, Vars};
/// use creatorsync_core::Platform;
/// let mut t = Template::text("{{product}} is out: {{url}}");
/// t.texts.insert(Platform::X, "{{product}} ships today".into());
/// t.options.youtube.title = Some("{{product}} launch".into());
/// let vars = Vars::from([
///     ("product".to_owned(), "Widget".to_owned()),
///     ("url".to_owned(), "https://w.example".to_owned()),
/// ]);
/// let post = t.render(&vars).await?;
/// assert_eq!(post.text, "Widget is out: https://w.example");
/// assert_eq!(post.text_for(Platform::X), "Widget ships today");
/// assert_eq!(post.options.youtube.title.as_deref(), Some("Widget launch"));
/// # Ok::<(), creatorsync_core::Error>(()) }).unwrap();
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Template {
    /// The text on every platform without its own variant.
    pub text: String,
    /// Per-platform text variants.
    pub texts: BTreeMap<Platform, String>,
    /// Default media, in display order.
    pub media: Vec<TemplateMedia>,
    /// Default per-platform options; string options may hold placeholders.
    pub options: PlatformOptions,
}

/// A template's media item: a file path or an http(s) URL (placeholders
/// allowed in both), plus alt text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TemplateMedia {
    /// A local file.
    pub path: Option<String>,
    /// An http(s) URL (public addresses only unless `allow_loopback`).
    pub url: Option<String>,
    /// Accessibility description.
    pub alt_text: Option<String>,
    /// Allow a loopback URL (local tests against the emulator).
    pub allow_loopback: bool,
}

/// The values of a template's variables, by name.
pub type Vars = BTreeMap<String, String>;

impl Template {
    /// A template with one text.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// Every variable the template uses; fails with
    /// [`Error::InvalidTemplate`] on a syntax error anywhere in it.
    pub fn variables(&self) -> Result<BTreeSet<String>> {
        let mut names = BTreeSet::new();
        self.clone()
            .each_text(|field, text| syntax::variables(field, text, &mut names).map(|()| None))?;
        Ok(names)
    }

    /// The post with every placeholder replaced by its value in `vars`
    /// (values are inserted as is, never parsed again). A variable not in
    /// `vars` is [`Error::InvalidTemplate`]; extra values are ignored.
    /// Media are described as for any post (a missing file, a refused URL
    /// fail here).
    pub async fn render(&self, vars: &Vars) -> Result<Post> {
        let mut filled = self.clone();
        filled.each_text(|field, text| syntax::render(field, text, vars).map(Some))?;
        filled.into_post().await
    }

    /// [`Template::render`], then the ordinary validation for `platforms`
    /// ([`Error::InvalidPost`] with every violation).
    pub async fn render_for(&self, vars: &Vars, platforms: &[Platform]) -> Result<Post> {
        let post = self.render(vars).await?;
        validate_all(&post, platforms)?;
        Ok(post)
    }

    /// Calls `f(field, text)` for every text that may hold placeholders,
    /// replacing it with what `f` returns (`Some`).
    fn each_text(&mut self, mut f: impl FnMut(&str, &str) -> Result<Option<String>>) -> Result<()> {
        let mut put = |field: &str, text: &mut String| -> Result<()> {
            if let Some(new) = f(field, text)? {
                *text = new;
            }
            Ok(())
        };
        put("text", &mut self.text)?;
        for (platform, text) in &mut self.texts {
            put(&format!("texts.{platform}"), text)?;
        }
        for (i, m) in self.media.iter_mut().enumerate() {
            for (name, value) in [
                ("path", &mut m.path),
                ("url", &mut m.url),
                ("alt_text", &mut m.alt_text),
            ] {
                if let Some(v) = value {
                    put(&format!("media[{i}].{name}"), v)?;
                }
            }
        }
        // String options, found by walking their JSON (two levels: platform,
        // option; a list such as YouTube's tags one more).
        let mut options = serde_json::to_value(&self.options)
            .map_err(|e| Error::invalid_input("options", e.to_string()))?;
        let mut changed = false;
        if let Value::Object(platforms) = &mut options {
            for (platform, fields) in platforms.iter_mut() {
                let Value::Object(fields) = fields else {
                    continue;
                };
                for (name, value) in fields.iter_mut() {
                    let field = format!("options.{platform}.{name}");
                    let strings: Vec<&mut String> = match value {
                        Value::String(s) => vec![s],
                        Value::Array(items) => items
                            .iter_mut()
                            .filter_map(|v| match v {
                                Value::String(s) => Some(s),
                                _ => None,
                            })
                            .collect(),
                        _ => Vec::new(),
                    };
                    for s in strings {
                        if let Some(new) = f(&field, s)? {
                            changed |= new != *s;
                            *s = new;
                        }
                    }
                }
            }
        }
        if changed {
            self.options = PlatformOptions::from_json(options)?;
        }
        Ok(())
    }

    /// The post, built through the contract's post path (media described,
    /// options checked) like a post from a binding.
    async fn into_post(self) -> Result<Post> {
        let input = PostInput {
            text: self.text,
            texts: Some(
                self.texts
                    .into_iter()
                    .map(|(p, t)| (p.as_str().to_owned(), t))
                    .collect(),
            ),
            media: self
                .media
                .into_iter()
                .map(|m| MediaInput {
                    path: m.path,
                    url: m.url,
                    alt_text: m.alt_text,
                    allow_loopback: Some(m.allow_loopback),
                    ..MediaInput::default()
                })
                .collect(),
            options: Some(
                serde_json::to_value(&self.options)
                    .map_err(|e| Error::invalid_input("options", e.to_string()))?,
            ),
            // A template's post is published live (a draft is per publish).
            ..PostInput::default()
        };
        PostSpec::from_input(input, BTreeMap::new())?.build().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::YouTubePrivacy;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[tokio::test]
    async fn every_text_is_filled_and_typed_options_survive() {
        let mut t = Template::text("New: {{product}}");
        t.texts
            .insert(Platform::LinkedIn, "{{product}}, for teams".into());
        t.options.youtube.title = Some("{{product}} demo".into());
        t.options.youtube.tags = vec!["{{tag}}".into(), "fixed".into()];
        t.options.youtube.privacy = YouTubePrivacy::Unlisted;
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("widget.png");
        std::fs::write(
            &png,
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0",
        )
        .unwrap();
        t.media.push(TemplateMedia {
            path: Some(format!("{}/{{{{sku}}}}.png", dir.path().display())),
            alt_text: Some("A {{product}}".into()),
            ..TemplateMedia::default()
        });
        assert_eq!(
            t.variables().unwrap(),
            ["product", "sku", "tag"].map(String::from).into()
        );
        let v = vars(&[("product", "Widget"), ("tag", "tools"), ("sku", "widget")]);
        let post = t.render(&v).await.unwrap();
        assert_eq!(post.text, "New: Widget");
        assert_eq!(post.text_for(Platform::LinkedIn), "Widget, for teams");
        assert_eq!(post.options.youtube.title.as_deref(), Some("Widget demo"));
        assert_eq!(post.options.youtube.tags, ["tools", "fixed"]);
        assert_eq!(post.options.youtube.privacy, YouTubePrivacy::Unlisted);
        assert_eq!(post.media.len(), 1);
        assert_eq!(post.media[0].alt_text(), Some("A Widget"));

        let err = t.render(&vars(&[("product", "W")])).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidTemplate { problem: TemplateProblem::MissingVariable { name }, .. } if name == "sku"),
            "{err}"
        );
        t.options.facebook.link = Some("{{ bad name }}".into());
        let err = t.variables().unwrap_err();
        assert!(err.to_string().contains("options.facebook.link"), "{err}");
    }

    #[tokio::test]
    async fn rendering_is_validated_like_any_post() {
        let mut t = Template::text("{{body}}");
        t.texts.insert(Platform::X, "{{short}}".into());
        let long = "l".repeat(400);
        let ok = t
            .render_for(
                &vars(&[("body", &long), ("short", "short")]),
                &[Platform::X, Platform::LinkedIn],
            )
            .await
            .unwrap();
        assert_eq!(ok.text_for(Platform::X), "short");
        let err = t
            .render_for(
                &vars(&[("body", &long), ("short", &long)]),
                &[Platform::X, Platform::LinkedIn],
            )
            .await
            .unwrap_err();
        let Error::InvalidPost { violations } = err else {
            panic!("{err}")
        };
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].platform, Some(Platform::X));
    }

    #[test]
    fn the_stored_shape_round_trips_and_refuses_unknown_fields() {
        let mut t = Template::text("Hi {{name}}");
        t.texts.insert(Platform::X, "Yo".into());
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["texts"]["x"], "Yo");
        assert_eq!(serde_json::from_value::<Template>(json).unwrap(), t);
        assert!(serde_json::from_value::<Template>(serde_json::json!({"txt": "x"})).is_err());
        assert_eq!(
            serde_json::from_value::<Template>(serde_json::json!({})).unwrap(),
            Template::default()
        );
    }
}
