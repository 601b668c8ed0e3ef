//! `creatorsync`: the command line of CreatorSync, a third binding of the
//! core beside Python and Node. It reads its configuration into the
//! core's contract (`creatorsync_core::contract::ClientOptions`), calls
//! the client, and prints the contract's views as text or JSON; it decides
//! nothing the core decides. See docs/cli.md.

mod cli;
mod config;
mod connect;
mod emulator;
mod exit;
mod manage;
mod output;
mod post;
mod progress;
mod schedule;
mod stats;

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, Parser};
use creatorsync_core::contract::ClientOptions;
use creatorsync_core::contract::metrics::MetricsResultView;
use creatorsync_core::contract::views::{
    self, AccountKeyView, AccountView, HealthView, ReportView, StatusView,
};
use creatorsync_core::{AccountKey, CreatorSync, Error, Platform, Result};
use serde_json::{Value, json};

use crate::cli::{Cli, Command};
use crate::emulator::Local;
use crate::exit::Failure;

/// A command's exit code, or its failure.
type Outcome = std::result::Result<u8, Failure>;
use crate::progress::{Mode, Reporter};

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let json_out = args.iter().any(|a| a == "--json");
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => return usage(&e, json_out),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            let e = Error::Config(format!("cannot start the runtime: {e}"));
            return Failure::setup(e).report(json_out);
        }
    };
    let json_out = cli.json;
    // `emulator` serves until Ctrl-C and stops cleanly on it; any other
    // command is cancelled (a publish releases its targets on the way out).
    let serves = matches!(cli.command, Command::Emulator | Command::Worker);
    let outcome = runtime.block_on(async {
        if serves {
            return run(cli).await;
        }
        tokio::select! {
            r = run(cli) => r,
            _ = tokio::signal::ctrl_c() => Err(Failure::from(Error::Cancelled)),
        }
    });
    // Leftover tasks (the emulator's servers) must not hold the exit.
    runtime.shutdown_timeout(Duration::from_millis(500));
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(f) => f.report(json_out),
    }
}

/// A command line clap refused: help and version print as asked; a
/// mistake is exit code 2, as a JSON error view with `--json`.
fn usage(e: &clap::Error, json_out: bool) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) || !json_out {
        let _ = e.print();
        return ExitCode::from(if e.use_stderr() {
            exit::USAGE
        } else {
            exit::OK
        });
    }
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("invalid arguments");
    let message = first.strip_prefix("error: ").unwrap_or(first);
    Failure::from(Error::invalid_input("arguments", message)).report(true)
}

async fn run(cli: Cli) -> Outcome {
    match &cli.command {
        Command::Completions { shell } => {
            let mut out = std::io::stdout().lock();
            clap_complete::generate(*shell, &mut Cli::command(), "creatorsync", &mut out);
            return Ok(exit::OK);
        }
        Command::Emulator => return serve_emulator(cli.json).await,
        Command::Probe { file } => return probe(file, cli.json).await,
        _ => {}
    }
    let settings = config::load(cli.config.as_deref(), cli.user.clone(), &|k| {
        std::env::var(k).ok()
    })
    .map_err(Failure::setup)?;
    let local = if cli.emulator {
        Some(Local::start().await.map_err(Failure::setup)?)
    } else {
        None
    };
    let result = with_client(&cli, settings, local.as_ref()).await;
    if let Some(local) = local {
        local.shutdown().await;
    }
    result
}

/// `probe FILE`: the core's probe view, as a table or JSON.
async fn probe(file: &std::path::Path, json_out: bool) -> Outcome {
    let view = creatorsync_core::contract::probe_input(json!({ "path": file }), None).await?;
    if json_out {
        output::json(&view);
    } else {
        output::probe(&view);
    }
    Ok(exit::OK)
}

/// Builds the client from the settings (through the contract) and runs
/// the command.
async fn with_client(cli: &Cli, mut settings: config::Settings, local: Option<&Local>) -> Outcome {
    if let Some(local) = local {
        local.apply(&mut settings.options);
    }
    config::complete(&mut settings.options).map_err(Failure::setup)?;
    let options =
        ClientOptions::from_json(Value::Object(settings.options)).map_err(Failure::setup)?;
    let mut scheduler = creatorsync_core::schedule::SchedulerConfig::default();
    if let Some(local) = local {
        // The emulator's store is in memory: jobs go to its scratch dir.
        scheduler.jobs = Some(creatorsync_core::schedule::JobStore::sqlite(
            local.dir().join("jobs.db"),
        ));
    }
    let sync = options
        .builder(None)
        .await
        .map_err(Failure::setup)?
        .scheduler(scheduler)
        .build()
        .await
        .map_err(Failure::setup)?;
    let user = settings.user.as_str();
    if let Some(local) = local
        && !matches!(cli.command, Command::Connect(_))
    {
        local.connect_all(&sync, user).await?;
    }
    match &cli.command {
        Command::Connect(a) => {
            let platforms = if a.platform == "all" {
                Platform::ALL.to_vec()
            } else {
                vec![platform(&a.platform)?]
            };
            let o = connect::Options {
                port: a.port.or(settings.callback_port).unwrap_or(0),
                open: a.open,
                timeout: Duration::from_secs(a.timeout),
                oauth1: a.oauth1,
            };
            let mut all = Vec::new();
            for p in platforms {
                all.extend(connect::connect(&sync, user, p, o, local).await?);
            }
            let views: Vec<AccountView> = all.iter().map(AccountView::from).collect();
            show(cli.json, &views, output::accounts);
        }
        Command::Accounts => {
            let views: Vec<AccountView> = sync
                .tokens()
                .status(user)
                .await?
                .iter()
                .map(|s| AccountView::from(&s.account))
                .collect();
            show(cli.json, &views, output::accounts);
        }
        Command::Status => {
            let all = sync.tokens().status(user).await?;
            let views: Vec<StatusView> = all.iter().map(StatusView::from).collect();
            show(cli.json, &views, output::status);
        }
        Command::Health => {
            let all = sync.tokens().health(user).await?;
            let views: Vec<HealthView> = all.iter().map(HealthView::from).collect();
            show(cli.json, &views, output::health);
        }
        Command::Quota => {
            let all = sync.quota(user).await?;
            show(cli.json, &all, output::quota);
        }
        Command::Disconnect {
            platform: p,
            account,
        } => {
            return disconnect(&sync, cli.json, user, p, account).await;
        }
        Command::Post(a) => {
            let reporter = Reporter::new(Mode::detect(cli.json));
            let report = post::publish(&sync, user, a, &reporter).await?;
            let view = ReportView::from(&report);
            if cli.json {
                output::json(&views::to_json(&view));
            } else {
                output::report(&view);
            }
            return Ok(post::exit_code(&report));
        }
        Command::Stats(a) => {
            let posts = stats::posts(&sync, user, &a.posts, a.account.as_deref()).await?;
            let results = sync.metrics(user, &posts).await?;
            let views: Vec<MetricsResultView> =
                results.iter().map(MetricsResultView::from).collect();
            show(cli.json, &views, output::metrics);
            return Ok(stats::exit_code(&results));
        }
        Command::Edit(a) => {
            let code = manage::edit(
                &sync,
                cli.json,
                user,
                &a.post.post,
                a.post.account.as_deref(),
                &a.text,
            )
            .await?;
            return Ok(code);
        }
        Command::Delete(a) => {
            let code = manage::delete(&sync, cli.json, user, &a.post, a.account.as_deref()).await?;
            return Ok(code);
        }
        Command::Schedule(a) => return schedule_cmd(&sync, cli.json, user, a).await,
        Command::Jobs(a) => {
            let s = sync.scheduler();
            if a.health {
                let h = s.health().await?;
                if cli.json {
                    output::json(&views::to_json(&h));
                } else {
                    output::health_of_jobs(&h);
                }
            } else {
                let all = schedule::list(&s, user, a.state.as_deref(), a.limit).await?;
                show(cli.json, &all, output::scheduled);
            }
        }
        Command::Cancel { id } => {
            let v = sync
                .scheduler()
                .cancel(&creatorsync_core::schedule::ScheduleId(id.clone()))
                .await?;
            show(cli.json, std::slice::from_ref(&v), output::scheduled);
        }
        Command::Worker => {
            if !cli.json {
                output::line("worker running (Ctrl-C finishes the running posts and stops)");
            }
            sync.scheduler()
                .run(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await?;
        }
        Command::Completions { .. } | Command::Emulator | Command::Probe { .. } => {}
    }
    Ok(exit::OK)
}

/// `schedule`: schedules, then (with `--wait`) runs a worker until the
/// posts settle. Exit 0 when scheduled (and, waited for, published).
async fn schedule_cmd(
    sync: &CreatorSync,
    json_out: bool,
    user: &str,
    a: &cli::ScheduleArgs,
) -> Outcome {
    let done = schedule::schedule(sync, user, a).await?;
    let ids = done.ids();
    let s = sync.scheduler();
    let views = if a.wait {
        schedule::wait(&s, &ids).await?
    } else {
        let mut v = Vec::with_capacity(ids.len());
        for id in &ids {
            v.push(s.get(id).await?);
        }
        v
    };
    let failed_rows = match &done {
        schedule::Scheduled::Many(r) => r.items.iter().any(|i| i.error.is_some()),
        schedule::Scheduled::One(_) => false,
    };
    if json_out {
        let mut out = json!({ "scheduled": views::to_json(&views) });
        if let schedule::Scheduled::Many(r) = &done {
            out["import"] = views::to_json(r);
        }
        output::json(&out);
    } else {
        if let schedule::Scheduled::Many(r) = &done {
            output::import(r);
        }
        output::scheduled(&views);
    }
    let published_if_waited = views
        .iter()
        .all(|v| !a.wait || v.state == creatorsync_core::schedule::ScheduleState::Published);
    Ok(if failed_rows || !published_if_waited {
        exit::TARGETS_FAILED
    } else {
        exit::OK
    })
}

async fn disconnect(
    sync: &CreatorSync,
    json_out: bool,
    user: &str,
    p: &str,
    account: &str,
) -> Outcome {
    let key = AccountKey::new(user, platform(p)?, account)?;
    let was = sync.tokens().disconnect(&key).await?;
    if json_out {
        output::json(&json!({
            "key": views::to_json(&AccountKeyView::from(&key)),
            "disconnected": was,
        }));
    } else if was {
        output::line(&format!("disconnected {p}:{account}"));
    } else {
        output::line(&format!("{p}:{account} was not connected"));
    }
    Ok(exit::OK)
}

/// Prints `v` as JSON or through `text`.
fn show<T: serde::Serialize>(json_out: bool, v: &[T], text: fn(&[T])) {
    if json_out {
        output::json(&views::to_json(&v));
    } else {
        text(v);
    }
}

/// A platform name, read by the core.
fn platform(name: &str) -> Result<Platform> {
    name.parse::<Platform>()
        .map_err(|_| Error::invalid_input("platform", format!("unknown platform {name:?}")))
}

/// `creatorsync emulator`: serves until Ctrl-C.
async fn serve_emulator(json_out: bool) -> Outcome {
    let local = Local::start().await.map_err(Failure::setup)?;
    let line = local.announcement();
    if json_out {
        output::json(&line);
    } else {
        output::line("The CreatorSync emulator is running (Ctrl-C stops it).");
        for p in Platform::ALL {
            let api = line[p.as_str()]["api"].as_str().unwrap_or("-");
            output::line(&format!("  {:<10} {api}", p.as_str()));
        }
        output::line(&format!(
            "  {:<10} {}",
            "control",
            line["control"].as_str().unwrap_or("-")
        ));
        output::line("Point the CLI at it from another shell:");
        output::line(&format!(
            "  export CREATORSYNC_APPS=emulator CREATORSYNC_STORE=/tmp/creatorsync-emulator.db \
             CREATORSYNC_ENDPOINTS='{}'",
            serde_json::to_string(&line).unwrap_or_default()
        ));
    }
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    local.shutdown().await;
    Ok(exit::OK)
}
