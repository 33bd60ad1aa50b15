//! The `orca-catool` command lines of the ORCA page ("SSLクライアント認証の
//! 利用(WebORCAオンプレ版)"), which must keep working verbatim. The binary
//! runs this when started as `orca-catool` (or as `orca-cactl legacy …`).

use crate::client::InitOptions;
use crate::commands::{self, PromptTo};
use crate::error::CtlError;
use crate::messages;
use crate::output::emit;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Legacy {
    /// No subcommand: first run asks `initialize ca?`, then the menu.
    Menu,
    Help,
    IssueServerCert {
        hosts: Vec<String>,
        ips: Vec<String>,
    },
    IssueClientCert {
        common_name: String,
    },
    ExportCert {
        id: String,
    },
    RevokeCert {
        id: String,
    },
    IssueCrl,
    ListCert,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegacyError {
    /// Not one of the six subcommands: the menu is shown.
    Unknown(String),
    /// A known subcommand used wrongly; the sentence says how to use it.
    Usage(String),
}

pub fn parse(args: &[String]) -> Result<Legacy, LegacyError> {
    let Some((sub, rest)) = args.split_first() else {
        return Ok(Legacy::Menu);
    };
    match sub.as_str() {
        "issue_server_cert" => {
            let mut hosts = Vec::new();
            let mut ips = Vec::new();
            let mut it = rest.iter();
            while let Some(arg) = it.next() {
                match option(sub, arg, &mut it)? {
                    ('c', v) => hosts.push(v),
                    ('i', v) => ips.push(v),
                    _ => return Err(unexpected(sub, arg)),
                }
            }
            if hosts.is_empty() && ips.is_empty() {
                return Err(LegacyError::Usage(messages::legacy_needs_names()));
            }
            Ok(Legacy::IssueServerCert { hosts, ips })
        }
        "issue_client_cert" => {
            let mut names = Vec::new();
            let mut it = rest.iter();
            while let Some(arg) = it.next() {
                match option(sub, arg, &mut it)? {
                    ('c', v) => names.push(v),
                    _ => return Err(unexpected(sub, arg)),
                }
            }
            match <[String; 1]>::try_from(names) {
                Ok([common_name]) => Ok(Legacy::IssueClientCert { common_name }),
                Err(v) if v.is_empty() => Err(LegacyError::Usage(messages::legacy_needs_cn())),
                Err(_) => Err(LegacyError::Usage(messages::legacy_one_cn())),
            }
        }
        "export_cert" => one_id(sub, rest).map(|id| Legacy::ExportCert { id }),
        "revoke_cert" => one_id(sub, rest).map(|id| Legacy::RevokeCert { id }),
        "issue_crl" => no_args(sub, rest).map(|()| Legacy::IssueCrl),
        "list_cert" => no_args(sub, rest).map(|()| Legacy::ListCert),
        "-h" | "--help" | "help" => Ok(Legacy::Help),
        other => Err(LegacyError::Unknown(other.to_owned())),
    }
}

/// `-c VALUE`, `-cVALUE` or `-i …`: the letter and the value. Any other
/// argument gives the letter `?`.
fn option<'a>(
    sub: &str,
    arg: &str,
    rest: &mut impl Iterator<Item = &'a String>,
) -> Result<(char, String), LegacyError> {
    let letter = match arg.as_bytes() {
        [b'-', l @ (b'c' | b'i'), ..] => char::from(*l),
        _ => return Ok(('?', String::new())),
    };
    let attached = &arg[2..];
    if !attached.is_empty() {
        return Ok((letter, attached.to_owned()));
    }
    match rest.next() {
        // Host names, addresses and names never start with '-'.
        Some(v) if !v.starts_with('-') && !v.is_empty() => Ok((letter, v.clone())),
        _ => Err(LegacyError::Usage(messages::legacy_missing_value(sub, arg))),
    }
}

fn unexpected(sub: &str, arg: &str) -> LegacyError {
    LegacyError::Usage(messages::legacy_unexpected(sub, arg))
}

fn one_id(sub: &str, rest: &[String]) -> Result<String, LegacyError> {
    match rest {
        [] => Err(LegacyError::Usage(messages::legacy_needs_id(sub))),
        [first, ..] if first.starts_with('-') => Err(unexpected(sub, first)),
        [id] => Ok(id.clone()),
        [_, extra, ..] => Err(unexpected(sub, extra)),
    }
}

fn no_args(sub: &str, rest: &[String]) -> Result<(), LegacyError> {
    match rest.first() {
        None => Ok(()),
        Some(extra) => Err(unexpected(sub, extra)),
    }
}

pub async fn run(args: &[String], ask_password: bool) -> Result<(), CtlError> {
    let command = match parse(args) {
        Ok(c) => c,
        Err(LegacyError::Unknown(sub)) => {
            emit(messages::LEGACY_MENU)?;
            return Err(CtlError::Usage(messages::legacy_unknown(&sub)));
        }
        Err(LegacyError::Usage(m)) => return Err(CtlError::Usage(m)),
    };
    if command == Legacy::Help {
        return emit(messages::LEGACY_MENU);
    }
    let mut client = commands::connect(ask_password).await?;
    match command {
        Legacy::Menu | Legacy::Help => {
            if !client.initialized().await? {
                if !commands::ask_initialize(PromptTo::Stdout).await? {
                    return Err(CtlError::Cancelled);
                }
                client.initialize(&InitOptions::default()).await?;
            }
            emit(messages::LEGACY_MENU)
        }
        Legacy::IssueServerCert { hosts, ips } => {
            commands::issue_server_cert(&mut client, &hosts, &ips, None, None, false).await
        }
        Legacy::IssueClientCert { common_name } => {
            commands::issue_client_cert(&mut client, &common_name, None, None, false).await
        }
        Legacy::ExportCert { id } => commands::export(&mut client, &id, None, false).await,
        Legacy::RevokeCert { id } => commands::revoke(&mut client, &id, "unspecified", false).await,
        Legacy::IssueCrl => {
            let dir = crate::client::files::default_out_dir().map_err(CtlError::output)?;
            crate::client::files::ensure_dir(&dir).map_err(CtlError::output)?;
            commands::issue_crl(&mut client, Some(&dir.join("crl.pem")), false).await
        }
        Legacy::ListCert => {
            commands::list(&client, &crate::client::ListFilter::default(), false).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command line as typed on the page: `orca-catool` and what follows.
    fn page(line: &str) -> Result<Legacy, LegacyError> {
        let words: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        assert_eq!(words.first().map(String::as_str), Some("orca-catool"));
        parse(&words[1..])
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn every_command_line_of_the_orca_page() {
        assert_eq!(page("orca-catool"), Ok(Legacy::Menu));
        assert_eq!(
            page("orca-catool issue_server_cert -c weborca-server"),
            Ok(Legacy::IssueServerCert {
                hosts: s(&["weborca-server"]),
                ips: vec![]
            })
        );
        assert_eq!(
            page("orca-catool issue_server_cert -i 192.168.1.100"),
            Ok(Legacy::IssueServerCert {
                hosts: vec![],
                ips: s(&["192.168.1.100"])
            })
        );
        assert_eq!(
            page("orca-catool issue_server_cert -i 192.168.1.100 -c weborca-server"),
            Ok(Legacy::IssueServerCert {
                hosts: s(&["weborca-server"]),
                ips: s(&["192.168.1.100"])
            })
        );
        assert_eq!(
            page("orca-catool issue_client_cert -c user1"),
            Ok(Legacy::IssueClientCert {
                common_name: "user1".into()
            })
        );
    }

    #[test]
    fn the_other_subcommands_of_the_menu() {
        assert_eq!(
            page("orca-catool export_cert 3"),
            Ok(Legacy::ExportCert { id: "3".into() })
        );
        assert_eq!(
            page("orca-catool revoke_cert 000003"),
            Ok(Legacy::RevokeCert {
                id: "000003".into()
            })
        );
        assert_eq!(page("orca-catool issue_crl"), Ok(Legacy::IssueCrl));
        assert_eq!(page("orca-catool list_cert"), Ok(Legacy::ListCert));
        assert_eq!(page("orca-catool --help"), Ok(Legacy::Help));
    }

    #[test]
    fn repeated_and_attached_options() {
        assert_eq!(
            page(
                "orca-catool issue_server_cert -c weborca-server -i 192.168.1.100 -c orca.lan -i10.0.0.5 -cweborca"
            ),
            Ok(Legacy::IssueServerCert {
                hosts: s(&["weborca-server", "orca.lan", "weborca"]),
                ips: s(&["192.168.1.100", "10.0.0.5"])
            })
        );
    }

    #[test]
    fn mistakes_say_how_it_is_done() {
        let usage = |line: &str| match page(line) {
            Err(LegacyError::Usage(m)) => m,
            other => panic!("{line}: {other:?}"),
        };
        assert!(
            usage("orca-catool issue_server_cert").contains("-i 192.168.1.100 -c weborca-server")
        );
        assert!(usage("orca-catool issue_server_cert -c").contains("-c needs a value"));
        assert!(usage("orca-catool issue_server_cert -i -c host").contains("-i needs a value"));
        assert!(usage("orca-catool issue_server_cert weborca").contains("\"weborca\""));
        assert!(usage("orca-catool issue_client_cert").contains("-c user1"));
        assert!(usage("orca-catool issue_client_cert -c a -c b").contains("one -c"));
        assert!(usage("orca-catool issue_client_cert -i 1.2.3.4").contains("\"-i\""));
        assert!(usage("orca-catool export_cert").contains("list_cert"));
        assert!(usage("orca-catool revoke_cert 3 4").contains("\"4\""));
        assert!(usage("orca-catool list_cert extra").contains("\"extra\""));
        assert_eq!(
            page("orca-catool issue-server-cert -c x"),
            Err(LegacyError::Unknown("issue-server-cert".into()))
        );
        assert_eq!(
            page("orca-catool frobnicate"),
            Err(LegacyError::Unknown("frobnicate".into()))
        );
    }

    #[test]
    fn the_menu_is_the_pages() {
        assert_eq!(
            messages::LEGACY_MENU,
            "  specify subcommand\n\n  issue_server_cert\n  issue_client_cert\n  export_cert\n  revoke_cert\n  issue_crl\n  list_cert\n"
        );
        assert_eq!(messages::INIT_QUESTION, "initialize ca?");
        assert_eq!(messages::INIT_PROMPT, "y or n> ");
    }
}
