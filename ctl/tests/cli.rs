//! The binary's exit statuses and stderr lines where no daemon is needed:
//! usage errors, the legacy menu, and a system bus that is not there.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_orca-cactl");

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("home")).expect("home");
        Sandbox { dir }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// Runs `program` (the binary or a link to it) with no terminal and a
    /// system bus address where nothing listens.
    fn run(&self, program: &Path, args: &[&str]) -> Output {
        Command::new(program)
            .args(args)
            .env("HOME", self.home())
            .env(
                "DBUS_SYSTEM_BUS_ADDRESS",
                format!(
                    "unix:path={}",
                    self.dir.path().join("no-bus-here").display()
                ),
            )
            .stdin(Stdio::null())
            .output()
            .expect("run")
    }

    fn cactl(&self, args: &[&str]) -> Output {
        self.run(Path::new(BIN), args)
    }

    fn catool(&self, args: &[&str]) -> Output {
        let link = self.dir.path().join("orca-catool");
        if !link.exists() {
            std::os::unix::fs::symlink(BIN, &link).expect("symlink");
        }
        self.run(&link, args)
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Failures are exactly one line on stderr.
fn one_line(o: &Output) -> String {
    let e = stderr(o);
    assert_eq!(e.lines().count(), 1, "not one line: {e:?}");
    e
}

const MENU: &str = "  specify subcommand\n\n  issue_server_cert\n  issue_client_cert\n  export_cert\n  revoke_cert\n  issue_crl\n  list_cert\n";

#[test]
fn help_lists_the_exit_statuses() {
    let s = Sandbox::new();
    let o = s.cactl(&["--help"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("Exit status:"));
    assert!(stdout(&o).contains("issue-server-cert"));
}

#[test]
fn usage_errors_exit_2_on_one_line() {
    let s = Sandbox::new();
    for args in [
        &["frobnicate"][..],
        &["issue-server-cert"],
        &["issue-client-cert"],
        &["list", "--status", "active"],
        &["init", "--key-type", "dsa"],
    ] {
        let o = s.cactl(args);
        assert_eq!(code(&o), 2, "{args:?}");
        assert!(one_line(&o).starts_with("orca-cactl: "), "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn init_without_a_terminal_needs_yes() {
    let s = Sandbox::new();
    let o = s.cactl(&["init"]);
    assert_eq!(code(&o), 2);
    assert!(one_line(&o).contains("--yes"));
}

#[test]
fn no_system_bus_exits_6_and_says_what_to_check() {
    let s = Sandbox::new();
    for args in [&["status"][..], &["--json", "list"], &["init", "--yes"]] {
        let o = s.cactl(args);
        assert_eq!(code(&o), 6, "{args:?}");
        assert!(one_line(&o).contains("systemctl status"), "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn a_failed_issue_leaves_no_file() {
    let s = Sandbox::new();
    let o = s.cactl(&["issue-client-cert", "-c", "user1"]);
    assert_eq!(code(&o), 6);
    let certs = s.home().join("certs");
    let left: Vec<_> = std::fs::read_dir(&certs)
        .map(|d| d.map(|e| e.expect("entry").file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn orca_catool_speaks_the_pages_syntax() {
    let s = Sandbox::new();
    let o = s.catool(&["--help"]);
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o), MENU);

    let o = s.catool(&["frobnicate"]);
    assert_eq!(code(&o), 2);
    assert_eq!(stdout(&o), MENU);
    assert!(one_line(&o).starts_with("orca-catool: unknown subcommand \"frobnicate\""));

    let o = s.catool(&["issue_client_cert"]);
    assert_eq!(code(&o), 2);
    assert!(one_line(&o).contains("orca-catool issue_client_cert -c user1"));

    // Parsed, then the bus is missing: the page's lines are accepted.
    for line in [
        "issue_server_cert -c weborca-server",
        "issue_server_cert -i 192.168.1.100",
        "issue_server_cert -i 192.168.1.100 -c weborca-server",
        "issue_client_cert -c user1",
        "export_cert 3",
        "revoke_cert 3",
        "issue_crl",
        "list_cert",
    ] {
        let args: Vec<&str> = line.split(' ').collect();
        let o = s.catool(&args);
        assert_eq!(code(&o), 6, "{line}: {}", stderr(&o));
    }
}

#[test]
fn legacy_subcommand_is_the_same_as_the_link() {
    let s = Sandbox::new();
    let o = s.cactl(&["legacy", "frobnicate"]);
    assert_eq!(code(&o), 2);
    assert_eq!(stdout(&o), MENU);
    let o = s.cactl(&[
        "legacy",
        "issue_server_cert",
        "-i",
        "192.168.1.100",
        "-c",
        "weborca-server",
    ]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
}
