//! What the creator allows (`creator_info/query`), as [`ComposeConstraints`]
//! a host app builds TikTok's required posting screen from, and the check
//! of a post's options against it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Platform, TikTokOptions, TikTokPrivacy, Violation};

/// What a creator may choose when posting, from TikTok's
/// `creator_info/query`. TikTok's content sharing guidelines (checked in
/// app audits) require the posting screen to show the creator's nickname,
/// offer exactly these privacy levels with none preselected, keep the
/// comment/duet/stitch toggles off until the user turns them on, and grey
/// out the interactions the creator disabled in the TikTok app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComposeConstraints {
    /// The creator's username (for the post URL and the screen).
    pub creator_username: String,
    /// The creator's nickname (shown on the screen).
    pub creator_nickname: String,
    /// Avatar URL.
    pub creator_avatar_url: Option<String>,
    /// Privacy levels the user may pick from (private accounts have no
    /// `PUBLIC_TO_EVERYONE`). None is preselected: see
    /// [`ComposeConstraints::preselected_privacy`].
    pub privacy_level_options: Vec<TikTokPrivacy>,
    /// Longest video the creator may post, in seconds, when TikTok says.
    pub max_video_post_duration_sec: Option<u64>,
    /// The creator turned comments off in the app: the comment toggle must
    /// be disabled and `disable_comment` set.
    pub comment_disabled: bool,
    /// Likewise for duets (videos only).
    pub duet_disabled: bool,
    /// Likewise for stitches (videos only).
    pub stitch_disabled: bool,
}

impl ComposeConstraints {
    /// Parses the `data` object of `creator_info/query`. Unknown privacy
    /// levels are skipped.
    pub(crate) fn from_data(data: &Value) -> Self {
        let s = |k: &str| data.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let b = |k: &str| data.get(k).and_then(Value::as_bool).unwrap_or(false);
        let privacy_level_options = data
            .get("privacy_level_options")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| serde_json::from_value::<TikTokPrivacy>(v.clone()).ok())
            .collect();
        Self {
            creator_username: s("creator_username"),
            creator_nickname: s("creator_nickname"),
            creator_avatar_url: data
                .get("creator_avatar_url")
                .and_then(Value::as_str)
                .map(str::to_owned),
            privacy_level_options,
            max_video_post_duration_sec: data
                .get("max_video_post_duration_sec")
                .and_then(Value::as_u64),
            comment_disabled: b("comment_disabled"),
            duet_disabled: b("duet_disabled"),
            stitch_disabled: b("stitch_disabled"),
        }
    }

    /// The privacy level to preselect: always None (the user must choose).
    pub fn preselected_privacy(&self) -> Option<TikTokPrivacy> {
        None
    }

    /// Initial state of the "allow comments / duets / stitches" toggles:
    /// always off (the user turns them on).
    pub fn default_interactions_allowed(&self) -> (bool, bool, bool) {
        (false, false, false)
    }

    /// The creator's longest video against `video`'s probed duration
    /// (`None`: within it, or either is unknown).
    pub(crate) fn duration_violation(
        &self,
        index: usize,
        video: &crate::Media,
    ) -> Option<Violation> {
        let max = self.max_video_post_duration_sec?;
        let secs = video.probe()?.duration_secs?;
        (secs > max as f64).then(|| Violation {
            platform: Some(Platform::TikTok),
            field: format!("media[{index}]"),
            code: "video_too_long".to_owned(),
            message: format!(
                "the video lasts {secs:.1} s, this creator may post at most {max} s (creator_info max_video_post_duration_sec)"
            ),
        })
    }

    /// Every way `options` break these constraints (`is_video`: duet and
    /// stitch only apply to videos). Empty when the post may go out.
    pub fn violations(&self, options: &TikTokOptions, is_video: bool) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut push = |field: &str, code: &str, message: String| {
            out.push(Violation {
                platform: Some(Platform::TikTok),
                field: field.to_owned(),
                code: code.to_owned(),
                message,
            });
        };
        let allowed = self
            .privacy_level_options
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        match options.privacy_level {
            None => push(
                "tiktok.privacy_level",
                "tiktok_privacy_required",
                format!("TikTok requires the user to choose a privacy level (one of: {allowed})"),
            ),
            Some(p) if !self.privacy_level_options.contains(&p) => push(
                "tiktok.privacy_level",
                "tiktok_privacy_not_allowed",
                format!(
                    "{} is not offered to this creator; choose one of: {allowed}",
                    p.as_str()
                ),
            ),
            Some(_) => {}
        }
        let mut toggle = |disabled_by_creator: bool, disabled: bool, what: &str, field: &str| {
            if disabled_by_creator && !disabled {
                push(
                    field,
                    "tiktok_interaction_disabled",
                    format!(
                        "the creator turned {what} off in TikTok; set {field} = true (the toggle must be greyed out)"
                    ),
                );
            }
        };
        toggle(
            self.comment_disabled,
            options.disable_comment,
            "comments",
            "tiktok.disable_comment",
        );
        if is_video {
            toggle(
                self.duet_disabled,
                options.disable_duet,
                "duets",
                "tiktok.disable_duet",
            );
            toggle(
                self.stitch_disabled,
                options.disable_stitch,
                "stitches",
                "tiktok.disable_stitch",
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_checks() {
        let c = ComposeConstraints::from_data(&json!({
            "creator_username": "demo", "creator_nickname": "Demo",
            "privacy_level_options": ["MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY", "SOMETHING_NEW"],
            "comment_disabled": false, "duet_disabled": true, "stitch_disabled": true,
            "max_video_post_duration_sec": 300
        }));
        assert_eq!(c.privacy_level_options.len(), 2);
        assert_eq!(c.preselected_privacy(), None);
        assert_eq!(c.max_video_post_duration_sec, Some(300));
        let mut o = TikTokOptions::default();
        let v = c.violations(&o, true);
        let codes: Vec<_> = v.iter().map(|v| v.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "tiktok_privacy_required",
                "tiktok_interaction_disabled",
                "tiktok_interaction_disabled"
            ]
        );
        o.privacy_level = Some(TikTokPrivacy::PublicToEveryone);
        o.disable_duet = true;
        o.disable_stitch = true;
        assert_eq!(c.violations(&o, true)[0].code, "tiktok_privacy_not_allowed");
        o.privacy_level = Some(TikTokPrivacy::SelfOnly);
        assert!(c.violations(&o, true).is_empty());
        // Photos have no duets or stitches.
        o.disable_duet = false;
        assert!(c.violations(&o, false).is_empty());
    }
}
