//! Writes the man pages orca-cactl(1), orca-catool(1) and orca-cad(8) and the
//! bash, zsh and fish completions from the clap definitions, so they cannot
//! drift from the programs. Run when the Debian package is built:
//!
//!     cargo run --release -p orca-cactl --example docgen -- OUTDIR
//!
//! orca-cactl is a binary crate only; its modules are compiled in here from
//! ../src unchanged (a module added to src/main.rs must be added below), so
//! the command line, its help texts and the exit status table are the real
//! ones rather than copies.
#![allow(dead_code, unused_imports)]

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Arg, ArgAction, Command, CommandFactory};
use clap_complete::Shell;

#[path = "../src"]
mod ctl {
    pub mod bundle_zip;
    pub mod cli;
    pub mod client;
    pub mod commands;
    pub mod error;
    pub mod hosts;
    pub mod legacy;
    pub mod messages;
    pub mod output;
    pub mod probe;
}
// The modules refer to each other as crate::<name>.
use ctl::{bundle_zip, cli, client, commands, error, hosts, legacy, messages, output, probe};

const MANUAL: &str = "orca-catool-rs";

fn main() -> std::io::Result<()> {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/docgen"));
    let man = out.join("man");
    let completions = out.join("completions");
    std::fs::create_dir_all(&man)?;
    for shell in ["bash", "zsh", "fish"] {
        std::fs::create_dir_all(completions.join(shell))?;
    }

    // orca-cactl(1) lists its commands as orca-cactl-<command>(1): write
    // those pages too, so every reference resolves.
    let mut top = cactl();
    top.build();
    write_page(&man, top.clone(), "1", CACTL_EXTRA)?;
    write_subcommand_pages(&man, &top, "orca-cactl")?;
    write_catool_page(&man)?;
    write_page(&man, cad(), "8", CAD_EXTRA)?;

    let mut cmd = cactl();
    for (shell, dir, file) in [
        (Shell::Bash, "bash", "orca-cactl"),
        (Shell::Zsh, "zsh", "_orca-cactl"),
        (Shell::Fish, "fish", "orca-cactl.fish"),
    ] {
        let mut f = std::fs::File::create(completions.join(dir).join(file))?;
        clap_complete::generate(shell, &mut cmd, "orca-cactl", &mut f);
    }
    Ok(())
}

fn cactl() -> Command {
    cli::Cli::command()
}

fn cad() -> Command {
    orca_cad::cli::Args::command()
}

/// orca-catool's syntax is the ORCA page's, parsed by hand in legacy.rs
/// (single dashes, underscores); this Command only describes it, and a test
/// below holds every line of it against legacy::parse.
fn catool() -> Command {
    let id = || {
        Arg::new("ID")
            .required(true)
            .help("Issue number (3 or 000003) or hex serial")
    };
    Command::new("orca-catool")
        .version(orca_ca_proto::VERSION)
        .about("The orca-catool command lines of the ORCA page, over orca-cad")
        .long_about(
            "orca-catool is orca-cactl started under the name of the CA tool of the ORCA \
             apt-line. It accepts the command lines of the ORCA page \
             \"SSLクライアント認証の利用(WebORCAオンプレ版)\" unchanged and does the work \
             through orca-cad, like orca-cactl. Without a subcommand the first run asks \
             \"initialize ca?\" and then lists the subcommands. Bundles are written to \
             $HOME/certs/NNNNNN__JP_orca_<CN>.zip.",
        )
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .subcommand(
            Command::new("issue_server_cert")
                .about("Issue a server certificate for WebORCA-Server")
                .arg(
                    Arg::new("host")
                        .short('c')
                        .value_name("HOST")
                        .action(ArgAction::Append)
                        .help("Host name the browser connects to (repeatable)"),
                )
                .arg(
                    Arg::new("ip")
                        .short('i')
                        .value_name("IP")
                        .action(ArgAction::Append)
                        .help("IP address the browser connects to (repeatable)"),
                ),
        )
        .subcommand(
            Command::new("issue_client_cert")
                .about("Issue a client certificate for a person or terminal")
                .arg(
                    Arg::new("cn")
                        .short('c')
                        .value_name("CN")
                        .required(true)
                        .help("Name of the person or terminal (common name)"),
                ),
        )
        .subcommand(
            Command::new("export_cert")
                .about("Write a certificate's bundle again")
                .arg(id()),
        )
        .subcommand(
            Command::new("revoke_cert")
                .about("Revoke a certificate and publish a new CRL")
                .arg(id()),
        )
        .subcommand(Command::new("issue_crl").about("Issue a fresh CRL (PEM on standard output)"))
        .subcommand(Command::new("list_cert").about("List issued certificates"))
}

fn write_subcommand_pages(dir: &Path, cmd: &Command, prefix: &str) -> std::io::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.get_name() == "help" {
            continue;
        }
        let name = format!("{prefix}-{}", sub.get_name());
        let page = sub.clone().display_name(name.clone());
        let see_also = format!(".SH SEE ALSO\n\\fB{prefix}\\fR(1)\n");
        write_page(dir, page.clone(), "1", &see_also)?;
        write_subcommand_pages(dir, &page, &name)?;
    }
    Ok(())
}

/// orca-catool's commands are described on its own page (they have no
/// pages of their own), one .TP paragraph each.
fn write_catool_page(dir: &Path) -> std::io::Result<()> {
    let mut cmd = catool();
    cmd.build();
    let page = clap_mangen::Man::new(cmd.clone())
        .section("1")
        .manual(MANUAL)
        .source(format!("{MANUAL} {}", orca_ca_proto::VERSION));
    let mut buf = Vec::new();
    page.render_title(&mut buf)?;
    page.render_name_section(&mut buf)?;
    page.render_synopsis_section(&mut buf)?;
    page.render_description_section(&mut buf)?;
    buf.write_all(b".SH COMMANDS\n")?;
    for sub in cmd.get_subcommands() {
        let usage = sub.clone().render_usage().to_string();
        let usage = usage.trim_start_matches("Usage: ").replace('-', "\\-");
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        writeln!(buf, ".TP\n\\fB{usage}\\fR\n{about}")?;
        for arg in sub.get_arguments() {
            let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            let flag = match arg.get_short() {
                Some(c) => format!("\\-{c} {}", arg.get_id().as_str().to_uppercase()),
                None => arg.get_id().as_str().to_owned(),
            };
            writeln!(buf, ".br\n  {flag}: {help}")?;
        }
    }
    buf.write_all(CATOOL_EXTRA.as_bytes())?;
    std::fs::write(dir.join("orca-catool.1"), buf)
}

fn write_page(dir: &Path, cmd: Command, section: &str, extra: &str) -> std::io::Result<()> {
    let name = cmd.get_display_name().unwrap_or(cmd.get_name()).to_owned();
    let page = clap_mangen::Man::new(cmd)
        .section(section)
        .manual(MANUAL)
        .source(format!("{MANUAL} {}", orca_ca_proto::VERSION));
    let mut buf = Vec::new();
    page.render(&mut buf)?;
    buf.write_all(extra.as_bytes())?;
    std::fs::write(dir.join(format!("{name}.{section}")), buf)
}

// Sections clap knows nothing about, in roff.
const CACTL_EXTRA: &str = r#".SH FILES
.TP
\fB$HOME/certs/\fR
Default directory for bundles (created 0700; bundles are written 0600).
.TP
\fB/etc/orca-ca/orca-cad.toml\fR
Settings of orca-cad (validity days, key type, .p12 profile).
.SH AUTHORIZATION
polkit decides every call. Members of the Unix group \fBorca-ca\fR may do
everything except \fBinit\fR without a password (\fBsudo adduser USER orca-ca\fR,
then log in again); others are asked for an administrator password. root is
always allowed.
.SH NOTES
WebORCA-Server is not known to check CRLs: revoking a client certificate does
not by itself lock that client out of WebORCA.
.SH SEE ALSO
\fBorca-catool\fR(1), \fBorca-cad\fR(8), /usr/share/doc/orca-catool-rs/README.md,
/usr/share/doc/orca-catool-rs/QUICKSTART.ja.md
"#;

const CATOOL_EXTRA: &str = r#".SH EXAMPLES
.nf
orca-catool issue_server_cert \-i 192.168.1.100 \-c weborca\-server
orca-catool issue_client_cert \-c user1
orca-catool list_cert
orca-catool revoke_cert 000003
.fi
.SH SEE ALSO
\fBorca-cactl\fR(1), \fBorca-cad\fR(8)
"#;

const CAD_EXTRA: &str = r#".SH FILES
.TP
\fB/etc/orca-ca/orca-cad.toml\fR
Settings; every key with its default is listed, commented out, in the shipped file.
.TP
\fB/var/lib/orca-ca/\fR
State directory (0700): CA key (0600) and certificate, SQLite index, CRL
(\fBcrl.der\fR, \fBcrl.pem\fR). Kept when the package is removed or purged.
.TP
\fB/opt/jma/weborca/conf/\fR
Where \fBinstall-server-cert\fR and \fBinstall-client-cert\fR place files for WebORCA.
.SH SYSTEMD
\fBorca-cad.service\fR is started by D-Bus activation of
\fBjp.or.med.orca.CaTool1\fR and exits when idle. \fBorca-cad-crl.timer\fR runs
\fBorca-cactl crl renew \-\-if-due\fR daily.
.SH SEE ALSO
\fBorca-cactl\fR(1), \fBorca-catool\fR(1), \fBpolkit\fR(8)
"#;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every documented orca-catool line must be one legacy.rs accepts.
    #[test]
    fn catool_page_matches_the_legacy_parser() {
        let cmd = catool();
        let mut seen = 0;
        for sub in cmd.get_subcommands() {
            let mut line = vec![sub.get_name().to_owned()];
            for arg in sub.get_arguments() {
                match arg.get_short() {
                    Some(s) => line.extend([format!("-{s}"), "x1".into()]),
                    None => line.push("3".into()),
                }
            }
            legacy::parse(&line).unwrap_or_else(|e| panic!("{line:?}: {e:?}"));
            seen += 1;
        }
        assert_eq!(seen, 6);
        // and the parser knows nothing the page leaves out
        let menu: Vec<&str> = messages::LEGACY_MENU
            .lines()
            .map(str::trim)
            .filter(|l| l.contains('_'))
            .collect();
        let documented: Vec<&str> = cmd.get_subcommands().map(Command::get_name).collect();
        assert_eq!(menu, documented);
    }

    #[test]
    fn pages_name_their_program() {
        for (cmd, name) in [
            (cactl(), "orca-cactl"),
            (catool(), "orca-catool"),
            (cad(), "orca-cad"),
        ] {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut buf).expect("render");
            let text = String::from_utf8(buf).expect("utf-8");
            assert!(text.contains(&format!(".TH {name}")), "{text}");
        }
    }
}
