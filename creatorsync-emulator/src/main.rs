//! `creatorsync-emulator --bind 127.0.0.1:0`: prints one JSON line with the
//! endpoints of every platform and the control API, then serves until
//! SIGTERM / SIGINT.

use std::io::Write;
use std::net::SocketAddr;

use creatorsync_emulator::{Emulator, EmulatorConfig};

fn usage() -> ! {
    let _ = writeln!(
        std::io::stderr(),
        "usage: creatorsync-emulator [--bind 127.0.0.1:0] [--allow-remote]\n\
         Binds loopback only unless --allow-remote is given."
    );
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CREATORSYNC_EMULATOR_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut bind: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut allow_remote = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--bind" => {
                bind = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "--allow-remote" => allow_remote = true,
            _ => usage(),
        }
    }
    if !bind.ip().is_loopback() && !allow_remote {
        let _ = writeln!(
            std::io::stderr(),
            "refusing to bind {bind}: not loopback (pass --allow-remote to override)"
        );
        std::process::exit(2);
    }
    let config = EmulatorConfig {
        bind: bind.ip(),
        ..EmulatorConfig::default()
    };
    let emu = match Emulator::start_on(bind, config).await {
        Ok(e) => e,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "cannot start the emulator: {e}");
            std::process::exit(1);
        }
    };
    let line = serde_json::to_string(&emu.announcement()).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
    drop(out);
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending::<()>().await } } => {}
    }
    emu.shutdown().await;
}
