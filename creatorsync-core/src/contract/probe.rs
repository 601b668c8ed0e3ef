//! `probe(media)` in the bindings and `creatorsync probe --json`: what is
//! inside one media item, in one shape.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::post::{MediaInput, PostInput, PostSpec};
use crate::media::{BytesSource, Probe};
use crate::{Error, Result};

/// What is inside a media item: the core's [`Probe`] plus what follows
/// from it.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ProbeView {
    /// The probe's fields (`format`, `bytes`, `width`, `height`, ...).
    #[serde(flatten)]
    pub probe: Probe,
    /// The MIME type the SDK detected.
    pub mime: String,
    /// Whether `moov` comes before the media data (MP4/MOV only).
    pub faststart: Option<bool>,
    /// Displayed width / height.
    pub aspect_ratio: Option<f64>,
}

/// Probes one media item given as the contract's media input (`path`,
/// `url` or `buffer`; `bytes`: the buffer the binding took out). Fails with
/// [`Error::InvalidInput`] for a bad input and [`Error::InvalidMedia`] for
/// media the probe cannot read.
pub async fn probe_input(input: Value, bytes: Option<BytesSource>) -> Result<Value> {
    let media: MediaInput = super::parse("media", input)?;
    let spec = PostSpec::from_input(
        PostInput {
            media: vec![media],
            ..PostInput::default()
        },
        bytes
            .into_iter()
            .map(|b| (0, b))
            .collect::<BTreeMap<_, _>>(),
    )
    .map_err(|e| match e {
        // One item: name it `media`, not `media[0]`.
        Error::InvalidInput { field, message } => Error::InvalidInput {
            field: field.replacen("media[0]", "media", 1),
            message,
        },
        e => e,
    })?;
    let Some((source, _)) = spec.media.into_iter().next() else {
        return Err(Error::invalid_input("media", "no media source"));
    };
    let media = source.media().await?;
    let probe = crate::media::probe(&**media.source()).await?;
    Ok(probe_json(&probe, &media.info().mime))
}

/// A probe as its JSON view.
pub fn probe_json(probe: &Probe, mime: &str) -> Value {
    super::views::to_json(&ProbeView {
        faststart: probe.faststart(),
        aspect_ratio: probe.aspect_ratio(),
        mime: mime.to_owned(),
        probe: probe.clone(),
    })
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use serde_json::json;

    use super::*;
    use crate::media::sample::SampleMp4;

    #[tokio::test]
    async fn buffer_and_path_give_the_same_view() {
        let mp4 = SampleMp4::new(3, 1080, 1920).moov_at_end().to_bytes();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clip.mp4");
        std::fs::write(&path, &mp4).unwrap();
        let from_path = probe_input(json!({"path": path}), None).await.unwrap();
        let from_bytes = probe_input(
            json!({"name": "clip.mp4"}),
            Some(BytesSource::new(Bytes::from(mp4), Some("clip.mp4".into()))),
        )
        .await
        .unwrap();
        assert_eq!(from_path, from_bytes);
        assert_eq!(from_path["format"], "mp4");
        assert_eq!(from_path["duration_secs"], 3.0);
        assert_eq!(from_path["width"], 1080);
        assert_eq!(from_path["faststart"], false);
        assert_eq!(from_path["mime"], "video/mp4");
        assert!(from_path["moov"]["offset"].as_u64().unwrap() > 0);

        match probe_input(json!({"path": path, "url": "http://x"}), None).await {
            Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "media"),
            other => panic!("{other:?}"),
        }
        match probe_input(json!({"pth": "x"}), None).await {
            Err(Error::InvalidInput { .. }) => {}
            other => panic!("{other:?}"),
        }
    }
}
