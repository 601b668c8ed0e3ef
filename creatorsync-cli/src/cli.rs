//! The command line's grammar (clap derive): global flags and one
//! subcommand per task. Meanings and checks of values (platforms, targets,
//! options) are the core's; clap only splits the words.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use clap_complete::Shell;

/// Connect social accounts and publish to X, LinkedIn, Facebook,
/// Instagram, YouTube and TikTok at once.
#[derive(Debug, Parser)]
#[command(name = "creatorsync", version, about, long_about = None)]
pub(crate) struct Cli {
    /// The configuration file (default: `creatorsync/config.toml` in the
    /// user's config directory).
    #[arg(long, global = true, env = "CREATORSYNC_CONFIG", value_name = "PATH")]
    pub(crate) config: Option<PathBuf>,

    /// Whose accounts (default: `user` from the config file, else
    /// `default`).
    #[arg(long, global = true, env = "CREATORSYNC_USER", value_name = "ID")]
    pub(crate) user: Option<String>,

    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    pub(crate) json: bool,

    /// Run against the bundled emulator, started in this process (offline;
    /// the demo accounts of every platform are connected first).
    #[arg(long, global = true)]
    pub(crate) emulator: bool,

    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Connect an account: prints the authorize URL and catches the
    /// platform's redirect on a loopback listener.
    Connect(ConnectArgs),
    /// The connected accounts.
    Accounts,
    /// Each connected account's state, from the store.
    Status,
    /// Asks every platform whether each token still works.
    Health,
    /// Quota use per platform and account.
    Quota,
    /// Revokes and forgets one account.
    Disconnect {
        /// The platform (`x`, `linkedin`, ...).
        platform: String,
        /// The account id on the platform (see `accounts`).
        account: String,
    },
    /// Publishes a post to the connected accounts.
    Post(PostArgs),
    /// Metrics of published posts: a table per post and platform (`-`:
    /// not reported by the platform).
    Stats(StatsArgs),
    /// Changes a published post's text where the platform allows it
    /// (LinkedIn, Facebook, YouTube's description).
    Edit(EditArgs),
    /// Deletes a published post (X, LinkedIn, Facebook, YouTube); a post
    /// already gone counts as deleted.
    Delete(PostRefArgs),
    /// Schedules a post (or, with `--from`, many) for a time.
    Schedule(ScheduleArgs),
    /// Scheduled posts of the user, by due time.
    Jobs(JobsArgs),
    /// Cancels a scheduled post that has not started.
    Cancel {
        /// The schedule id (see `jobs`).
        id: String,
    },
    /// Runs a scheduler worker in this process until Ctrl-C (finishing the
    /// posts it is publishing).
    Worker,
    /// Runs the bundled emulator and prints its endpoints, until Ctrl-C.
    Emulator,
    /// What is inside a media file: a video's duration, size, rotation,
    /// frame rate, codecs, bitrate and `moov` position; an image's format,
    /// pixel size and frame count. Offline; reads a few small ranges.
    Probe {
        /// The file.
        file: PathBuf,
    },
    /// Prints a shell completion script.
    Completions {
        /// The shell.
        shell: Shell,
    },
}

/// `connect`.
#[derive(Debug, Args)]
pub(crate) struct ConnectArgs {
    /// The platform, or `all`.
    pub(crate) platform: String,
    /// Open the authorize URL in the default browser.
    #[arg(long)]
    pub(crate) open: bool,
    /// Port of the loopback listener on 127.0.0.1 (default:
    /// `callback_port` from the config file, else any free port). The
    /// redirect URI `http://127.0.0.1:PORT/callback` must be registered
    /// with the platform's app.
    #[arg(long)]
    pub(crate) port: Option<u16>,
    /// How long to wait for the browser, in seconds.
    #[arg(long, default_value_t = 300)]
    pub(crate) timeout: u64,
    /// X only: the OAuth 1.0a flow instead of OAuth 2.0.
    #[arg(long)]
    pub(crate) oauth1: bool,
}

/// `post`.
#[derive(Debug, Args)]
pub(crate) struct PostArgs {
    /// The text (caption on media platforms, description on YouTube).
    pub(crate) text: String,
    /// Media files, in display order.
    #[arg(long, num_args = 1.., value_name = "FILE")]
    pub(crate) media: Vec<PathBuf>,
    /// Targets: `all`, or platforms and `platform:account_id`, comma
    /// separated (`x,youtube,facebook:1001`).
    #[arg(long, default_value = "all", value_name = "TARGETS")]
    pub(crate) to: String,
    /// A platform option, `platform.name=value` (repeatable); the value is
    /// read as JSON when it is a number, boolean, array or object, else as
    /// text (`youtube.title=Hi`, `tiktok.disable_stitch=true`).
    #[arg(long = "option", short = 'o', value_name = "PLATFORM.NAME=VALUE")]
    pub(crate) options: Vec<String>,
    /// The idempotency key: give it again to retry without double posting.
    #[arg(long)]
    pub(crate) key: Option<String>,
    /// Publish where the post is valid and report the other targets,
    /// instead of refusing the whole post.
    #[arg(long)]
    pub(crate) valid_only: bool,
    /// Fix media a target would refuse instead of refusing the post: `pad`
    /// or `crop` images into its aspect ratio and under its byte limit,
    /// and move an MP4's `moov` first.
    #[arg(long, value_name = "pad|crop")]
    pub(crate) fit: Option<String>,
    /// Publish each platform's closest meaning of a draft (Facebook
    /// unpublished, YouTube private, TikTok inbox); X, LinkedIn and
    /// Instagram refuse it.
    #[arg(long)]
    pub(crate) draft: bool,
}

/// `stats`.
#[derive(Debug, Args)]
pub(crate) struct StatsArgs {
    /// Posts as `platform:post_id` (`x:1234`, `linkedin:urn:li:share:1`);
    /// none: every post whose metrics were read before.
    pub(crate) posts: Vec<String>,
    /// The account that published the named posts (needed when the user
    /// has several accounts on a platform).
    #[arg(long)]
    pub(crate) account: Option<String>,
}

/// One published post.
#[derive(Debug, Args)]
pub(crate) struct PostRefArgs {
    /// The post: `platform:post_id` (`linkedin:urn:li:share:1`), or a
    /// publish report's JSON result (`{"platform":"x","post_id":"1"}`).
    pub(crate) post: String,
    /// The account that published it (needed when the user has several
    /// accounts on the platform).
    #[arg(long)]
    pub(crate) account: Option<String>,
}

/// `edit`.
#[derive(Debug, Args)]
pub(crate) struct EditArgs {
    /// The post.
    #[command(flatten)]
    pub(crate) post: PostRefArgs,
    /// The new text.
    pub(crate) text: String,
}

/// `schedule`.
#[derive(Debug, Args)]
pub(crate) struct ScheduleArgs {
    /// The text (omit with `--from`).
    pub(crate) text: Option<String>,
    /// When: `2026-12-24T09:00` (a local time in `--tz`) or an instant
    /// with its offset (`2026-12-24T08:00:00Z`).
    #[arg(long, value_name = "TIME")]
    pub(crate) at: Option<String>,
    /// The IANA time zone of a local `--at` (`Europe/Berlin`).
    #[arg(long, value_name = "ZONE")]
    pub(crate) tz: Option<String>,
    /// Media files, in display order.
    #[arg(long, num_args = 1.., value_name = "FILE")]
    pub(crate) media: Vec<PathBuf>,
    /// Targets: `all`, or platforms and `platform:account_id`, comma
    /// separated.
    #[arg(long, default_value = "all", value_name = "TARGETS")]
    pub(crate) to: String,
    /// A platform option, `platform.name=value` (repeatable).
    #[arg(long = "option", short = 'o', value_name = "PLATFORM.NAME=VALUE")]
    pub(crate) options: Vec<String>,
    /// An idempotency key: scheduling again with it schedules nothing new.
    #[arg(long)]
    pub(crate) key: Option<String>,
    /// Let this platform schedule the post itself (`youtube`).
    #[arg(long, value_name = "PLATFORM")]
    pub(crate) native: Vec<String>,
    /// Many posts from a CSV (header `text,at,tz,to,key`) or JSON file (an
    /// array of objects with those fields).
    #[arg(long, value_name = "FILE")]
    pub(crate) from: Option<PathBuf>,
    /// With `--from`: schedule the valid rows and report the others,
    /// instead of nothing when one is invalid.
    #[arg(long)]
    pub(crate) valid_only: bool,
    /// Run a worker here until the scheduled posts settle, then show them.
    #[arg(long)]
    pub(crate) wait: bool,
}

/// `jobs`.
#[derive(Debug, Args)]
pub(crate) struct JobsArgs {
    /// Only in this state (`scheduled`, `running`, `published`, `failed`,
    /// `outcome_unknown`, `cancelled`).
    #[arg(long)]
    pub(crate) state: Option<String>,
    /// At most this many.
    #[arg(long, default_value_t = 100)]
    pub(crate) limit: usize,
    /// The workers and the backlog instead of the posts.
    #[arg(long)]
    pub(crate) health: bool,
}
