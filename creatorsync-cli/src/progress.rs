//! A publish's progress on stderr: one indicatif bar per target on a
//! terminal, plain lines otherwise (a pipe, a log file, CI), nothing with
//! `--json` off a terminal (stdout is the one JSON document, stderr stays
//! quiet for scripts).

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, PoisonError};

use creatorsync_core::ProgressEvent;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Bars, redrawn in place.
    Bars,
    /// One line per step.
    Lines,
    /// Nothing.
    Quiet,
}

impl Mode {
    /// Bars when stdout (and stderr, where they are drawn) is a terminal,
    /// plain lines when it is not, nothing for `--json` off a terminal.
    pub(crate) fn detect(json: bool) -> Self {
        let tty = std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
        match (tty, json) {
            (true, _) => Mode::Bars,
            (false, false) => Mode::Lines,
            (false, true) => Mode::Quiet,
        }
    }
}

/// Shows the events of one publish.
#[derive(Clone)]
pub(crate) struct Reporter {
    mode: Mode,
    multi: MultiProgress,
    style: ProgressStyle,
    bars: Arc<Mutex<HashMap<String, ProgressBar>>>,
    /// Lines mode: the last step printed per target.
    last: Arc<Mutex<HashMap<String, String>>>,
}

impl Reporter {
    /// A reporter in `mode`.
    pub(crate) fn new(mode: Mode) -> Self {
        let target = match mode {
            Mode::Bars => ProgressDrawTarget::stderr(),
            _ => ProgressDrawTarget::hidden(),
        };
        let style = ProgressStyle::with_template(
            "{prefix:<24} [{bar:28}] {bytes:>9}/{total_bytes:<9} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        Self {
            mode,
            multi: MultiProgress::with_draw_target(target),
            style,
            bars: Arc::default(),
            last: Arc::default(),
        }
    }

    /// Handles one event.
    pub(crate) fn event(&self, e: &ProgressEvent) {
        match self.mode {
            Mode::Quiet => {}
            Mode::Bars => self.bar_event(e),
            Mode::Lines => self.line_event(e),
        }
    }

    /// Leaves the bars on screen as they ended.
    pub(crate) fn finish(&self) {
        let bars = self.bars.lock().unwrap_or_else(PoisonError::into_inner);
        for bar in bars.values() {
            if !bar.is_finished() {
                bar.abandon();
            }
        }
    }

    fn bar(&self, platform: &str, account: &str) -> ProgressBar {
        let mut bars = self.bars.lock().unwrap_or_else(PoisonError::into_inner);
        bars.entry(target_name(platform, account))
            .or_insert_with(|| {
                let bar = self.multi.add(ProgressBar::new(0));
                bar.set_style(self.style.clone());
                bar.set_prefix(target_name(platform, account));
                bar.set_message("starting");
                bar
            })
            .clone()
    }

    fn bar_event(&self, e: &ProgressEvent) {
        match e {
            ProgressEvent::Validated { .. } => {}
            ProgressEvent::Uploading {
                platform,
                account,
                sent,
                total,
            } => {
                let bar = self.bar(platform.as_str(), account);
                bar.set_length(*total);
                bar.set_position(*sent);
                bar.set_message("uploading");
            }
            ProgressEvent::Processing {
                platform,
                account,
                state,
            } => self
                .bar(platform.as_str(), account)
                .set_message(format!("processing ({state})")),
            ProgressEvent::Published {
                platform, account, ..
            } => {
                let bar = self.bar(platform.as_str(), account);
                if let Some(len) = bar.length() {
                    bar.set_position(len);
                }
                bar.finish_with_message("published");
            }
            ProgressEvent::Failed {
                platform,
                account,
                code,
                ..
            } => self
                .bar(platform.as_str(), account)
                .abandon_with_message(format!("failed: {code}")),
        }
    }

    fn line_event(&self, e: &ProgressEvent) {
        let (target, step) = match e {
            ProgressEvent::Validated { targets } => {
                err_line(&format!("validated for {targets} target(s)"));
                return;
            }
            ProgressEvent::Uploading {
                platform,
                account,
                sent,
                total,
            } => (
                target_name(platform.as_str(), account),
                if sent >= total {
                    format!("uploaded {total} bytes")
                } else {
                    "uploading".to_owned()
                },
            ),
            ProgressEvent::Processing {
                platform,
                account,
                state,
            } => (
                target_name(platform.as_str(), account),
                format!("processing ({state})"),
            ),
            ProgressEvent::Published {
                platform,
                account,
                url,
                ..
            } => (
                target_name(platform.as_str(), account),
                format!("published {url}"),
            ),
            ProgressEvent::Failed {
                platform,
                account,
                code,
                message,
            } => (
                target_name(platform.as_str(), account),
                format!("failed: {code}: {message}"),
            ),
        };
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if last.get(&target) != Some(&step) {
            err_line(&format!("{target}: {step}"));
            last.insert(target, step);
        }
    }
}

fn target_name(platform: &str, account: &str) -> String {
    if account.is_empty() {
        platform.to_owned()
    } else {
        format!("{platform}:{account}")
    }
}

fn err_line(s: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{s}");
}
