//! `orca-cactl`: the command-line client of orca-cad. Started as
//! `orca-catool` (a link to the same binary) it speaks the ORCA page's syntax.

mod bundle_zip;
mod cli;
mod client;
mod commands;
mod error;
mod hosts;
mod legacy;
mod messages;
mod output;
mod probe;

use std::ffi::{CStr, OsString};
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use crate::cli::Cli;
use crate::error::{CtlError, Exit};

const LEGACY_NAME: &str = "orca-catool";
const NAME: &str = "orca-cactl";

#[derive(Debug)]
enum Invocation {
    Cli(Cli),
    Legacy(Vec<String>),
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let program = program_name(args.first().map(OsString::as_os_str));
    let invocation = if program == LEGACY_NAME {
        Invocation::Legacy(
            args.iter()
                .skip(1)
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
        )
    } else {
        match Cli::try_parse_from(&args) {
            Ok(cli) => Invocation::Cli(cli),
            Err(e) => return clap_exit(&e),
        }
    };

    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(program, &CtlError::Unexpected(e.to_string())),
    };
    let result = runtime.block_on(async {
        // Dropping the command's future on a signal removes a half-written
        // bundle and stops the polkit agent.
        tokio::select! {
            r = run(invocation) => r,
            () = interrupted() => Err(CtlError::Interrupted),
        }
    });
    // A prompt may still be blocked reading stdin; do not wait for it.
    runtime.shutdown_background();
    match result {
        Ok(()) => Exit::Success.into(),
        Err(e) => fail(program, &e),
    }
}

async fn run(invocation: Invocation) -> Result<(), CtlError> {
    match invocation {
        Invocation::Cli(cli) => commands::run(cli).await,
        Invocation::Legacy(args) => legacy::run(&args, commands::may_ask_password(false)).await,
    }
}

fn fail(program: &str, e: &CtlError) -> ExitCode {
    eprintln!("{}", messages::error_line(program, e, &user_name()));
    e.exit().into()
}

/// `orca-catool` when started under that name (any directory), else `orca-cactl`.
fn program_name(argv0: Option<&std::ffi::OsStr>) -> &'static str {
    match argv0.and_then(|a| Path::new(a).file_name()) {
        Some(name) if name == LEGACY_NAME => LEGACY_NAME,
        _ => NAME,
    }
}

/// Help and version as clap prints them; errors folded into one line.
fn clap_exit(e: &clap::Error) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            Exit::Success.into()
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            Exit::Usage.into()
        }
        _ => {
            eprintln!("{NAME}: {}", one_line_usage(&e.render().to_string()));
            Exit::Usage.into()
        }
    }
}

/// `error: …` lines and the `Usage:` line of a clap error, on one line.
fn one_line_usage(rendered: &str) -> String {
    let mut detail = Vec::new();
    let mut usage = None;
    for line in rendered.lines().map(str::trim) {
        if let Some(u) = line.strip_prefix("Usage: ") {
            usage = Some(u);
            break;
        }
        if !line.is_empty() {
            detail.push(line.strip_prefix("error: ").unwrap_or(line));
        }
    }
    messages::usage(&detail.join(" "), usage)
}

async fn interrupted() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term), Ok(mut hup)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
        _ = hup.recv() => {}
    }
}

/// The login name for "sudo adduser NAME orca-ca": from the password
/// database, since $USER may name someone else (su, setpriv).
fn user_name() -> String {
    // SAFETY: getuid cannot fail and touches no memory.
    let uid = unsafe { libc::getuid() };
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: an all-zero passwd is a valid value of a plain C struct.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; buf's length is passed.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut found) };
    if rc == 0 && !found.is_null() && !pwd.pw_name.is_null() {
        // SAFETY: on success pw_name points to a NUL-terminated string in buf.
        return unsafe { CStr::from_ptr(pwd.pw_name) }
            .to_string_lossy()
            .into_owned();
    }
    std::env::var("USER").unwrap_or_else(|_| "$USER".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv0_chooses_the_legacy_syntax() {
        let name = |s: &str| program_name(Some(std::ffi::OsStr::new(s)));
        assert_eq!(name("orca-catool"), LEGACY_NAME);
        assert_eq!(name("/usr/bin/orca-catool"), LEGACY_NAME);
        assert_eq!(name("./orca-catool"), LEGACY_NAME);
        assert_eq!(name("/usr/bin/orca-cactl"), NAME);
        assert_eq!(name("orca-catool-old"), NAME);
        assert_eq!(program_name(None), NAME);
    }

    #[test]
    fn clap_errors_become_one_line() {
        let e = Cli::try_parse_from(["orca-cactl", "issue-client-cert"]).expect_err("error");
        let line = one_line_usage(&e.render().to_string());
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("--common-name <CN>"), "{line}");
        assert!(
            line.contains("usage: orca-cactl issue-client-cert"),
            "{line}"
        );
        let e = Cli::try_parse_from(["orca-cactl", "lsit"]).expect_err("error");
        let line = one_line_usage(&e.render().to_string());
        assert!(line.contains("'lsit'"), "{line}");
    }

    #[test]
    fn user_name_is_known() {
        assert!(!user_name().is_empty());
    }
}
