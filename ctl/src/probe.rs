//! `doctor --probe`: connect to WebORCA as a browser would and say what
//! happened, since a browser shows only "このサイトにアクセスできません".
//! Runs here, in the client: orca-cad has no network (PrivateNetwork=yes).
//!
//! First without a client certificate (a correctly set up WebORCA-Server
//! refuses that), then, if a bundle is given, with it (it must be let in).
//! The server's certificate is checked against our CA and the host name
//! along the way, but a failure there does not stop the other findings.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openssl::pkey::{PKey, Private};
use openssl::ssl::{ErrorCode, HandshakeError, SslConnector, SslMethod, SslVerifyMode};
use openssl::x509::X509;

use crate::messages::probe as text;
use crate::output::Finding;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long to wait for an answer (or an alert) after the handshake.
const READ_TIMEOUT: Duration = Duration::from_secs(3);
pub const DEFAULT_PORT: u16 = 8000;

/// Where to connect, from `--probe URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
    /// The URL said `http://`: the page's "httpで接続されている場合".
    pub plain_http_url: bool,
}

impl Target {
    /// `https://host[:port][/path]`, `http://…`, `host[:port]`; IPv6 in brackets.
    pub fn parse(url: &str) -> Result<Target, String> {
        let (rest, plain_http_url) = if let Some(r) = url.strip_prefix("https://") {
            (r, false)
        } else if let Some(r) = url.strip_prefix("http://") {
            (r, true)
        } else if url.contains("://") {
            return Err(text::bad_scheme(url));
        } else {
            (url, false)
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, after) = v6.split_once(']').ok_or_else(|| text::bad_url(url))?;
            let port = match after.strip_prefix(':') {
                Some(p) => Some(p),
                None if after.is_empty() => None,
                None => return Err(text::bad_url(url)),
            };
            (h.to_owned(), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_owned(), Some(p)),
                None => (authority.to_owned(), None),
            }
        };
        if host.is_empty() {
            return Err(text::bad_url(url));
        }
        let port = match port {
            None => DEFAULT_PORT,
            Some(p) => p.parse::<u16>().map_err(|_| text::bad_url(url))?,
        };
        Ok(Target {
            host,
            port,
            plain_http_url,
        })
    }

    pub fn display(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// A client certificate and its key, from a bundle.
pub struct Identity {
    pub name: String,
    pub cert: X509,
    pub key: PKey<Private>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// How one connection went.
#[derive(Debug)]
enum Attempt {
    /// No TCP connection.
    Unreachable(String),
    /// The handshake failed without an alert: not TLS, or broken.
    NotTls(String),
    /// The server sent a TLS alert (during or right after the handshake).
    Alert {
        alert: String,
        server_cert: Option<String>,
    },
    /// The server let us in: it answered, or kept the connection open.
    Accepted { server_cert: Option<String> },
}

/// The first verification problem with the server's certificate, or none.
type Verdict = Arc<Mutex<Option<String>>>;

pub fn probe(target: &Target, ca: Option<&X509>, identity: Option<&Identity>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let place = target.display();
    if target.plain_http_url {
        findings.push(Finding::error("probe_scheme", text::http_url(&place)));
    }
    let server_cert = match attempt(target, ca, None) {
        Attempt::Unreachable(detail) => {
            findings.push(Finding::error(
                "probe_connect",
                text::unreachable(&place, &detail),
            ));
            return findings;
        }
        Attempt::NotTls(detail) => {
            findings.push(if speaks_http(target) {
                Finding::error("probe_https", text::speaks_http(&place))
            } else {
                Finding::error("probe_tls", text::not_tls(&place, &detail))
            });
            return findings;
        }
        Attempt::Accepted { server_cert } => {
            findings.push(Finding::error(
                "probe_client_auth",
                text::no_client_cert_asked(&place),
            ));
            server_cert
        }
        Attempt::Alert { alert, server_cert } => {
            findings.push(Finding::ok(
                "probe_client_auth",
                text::client_cert_required(&place, &alert),
            ));
            server_cert
        }
    };
    if ca.is_some() {
        findings.push(match server_cert {
            None => Finding::ok("probe_server_cert", text::server_cert_ok(&target.host)),
            Some(problem) => Finding::error(
                "probe_server_cert",
                text::server_cert_bad(&target.host, &problem),
            ),
        });
    }
    if let Some(id) = identity {
        findings.push(match attempt(target, ca, Some(id)) {
            Attempt::Accepted { .. } => {
                Finding::ok("probe_with_client_cert", text::accepted(&id.name))
            }
            Attempt::Alert { alert, .. } => {
                Finding::error("probe_with_client_cert", text::refused(&id.name, &alert))
            }
            Attempt::Unreachable(detail) | Attempt::NotTls(detail) => {
                Finding::error("probe_with_client_cert", text::failed(&id.name, &detail))
            }
        });
    }
    findings
}

fn address(target: &Target) -> Result<SocketAddr, String> {
    (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| e.to_string())?
        .next()
        .ok_or_else(text::no_address)
}

fn connect(target: &Target) -> Result<TcpStream, String> {
    let addr = address(target)?;
    let tcp = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT).map_err(|e| e.to_string())?;
    tcp.set_read_timeout(Some(READ_TIMEOUT))
        .and_then(|()| tcp.set_write_timeout(Some(READ_TIMEOUT)))
        .map_err(|e| e.to_string())?;
    Ok(tcp)
}

fn attempt(target: &Target, ca: Option<&X509>, identity: Option<&Identity>) -> Attempt {
    let tcp = match connect(target) {
        Ok(t) => t,
        Err(e) => return Attempt::Unreachable(e),
    };
    let verdict: Verdict = Arc::default();
    let connector = match connector(ca, identity, verdict.clone()) {
        Ok(c) => c,
        Err(e) => return Attempt::NotTls(e.to_string()),
    };
    let config = match connector.configure() {
        Ok(c) => c,
        Err(e) => return Attempt::NotTls(e.to_string()),
    };
    let seen = || verdict.lock().ok().and_then(|v| v.clone());
    let mut stream = match config.connect(&target.host, tcp) {
        Ok(s) => s,
        Err(HandshakeError::Failure(mid)) => {
            let e = mid.error();
            return match alert_in(e.ssl_error()) {
                Some(alert) => Attempt::Alert {
                    alert,
                    server_cert: seen(),
                },
                None => Attempt::NotTls(e.to_string()),
            };
        }
        Err(e) => return Attempt::NotTls(e.to_string()),
    };
    // TLS 1.3 servers check the client certificate after the client thinks
    // the handshake is done: the verdict comes with the first read.
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        target.host
    );
    let _ = stream.write_all(request.as_bytes());
    let mut buf = [0u8; 256];
    match stream.ssl_read(&mut buf) {
        Ok(_) => Attempt::Accepted {
            server_cert: seen(),
        },
        Err(e) => match alert_in(e.ssl_error()) {
            Some(alert) => Attempt::Alert {
                alert,
                server_cert: seen(),
            },
            // A close without an alert before any answer: refused, too.
            None if e.code() == ErrorCode::ZERO_RETURN || e.code() == ErrorCode::SYSCALL => {
                match e.io_error().map(std::io::Error::kind) {
                    Some(std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                        Attempt::Accepted {
                            server_cert: seen(),
                        }
                    }
                    _ => Attempt::Alert {
                        alert: text::closed_without_answer(),
                        server_cert: seen(),
                    },
                }
            }
            None => match e.io_error().map(std::io::Error::kind) {
                Some(std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                    Attempt::Accepted {
                        server_cert: seen(),
                    }
                }
                _ => Attempt::NotTls(e.to_string()),
            },
        },
    }
}

fn connector(
    ca: Option<&X509>,
    identity: Option<&Identity>,
    verdict: Verdict,
) -> Result<SslConnector, openssl::error::ErrorStack> {
    let mut b = SslConnector::builder(SslMethod::tls_client())?;
    if let Some(ca) = ca {
        b.cert_store_mut().add_cert(ca.clone())?;
    }
    // Note the first problem and go on: the client-certificate findings
    // matter even when the server's certificate is wrong.
    b.set_verify_callback(SslVerifyMode::PEER, move |ok, ctx| {
        if !ok
            && let Ok(mut v) = verdict.lock()
            && v.is_none()
        {
            *v = Some(ctx.error().error_string().to_owned());
        }
        true
    });
    if let Some(id) = identity {
        b.set_certificate(&id.cert)?;
        b.set_private_key(&id.key)?;
        b.check_private_key()?;
    }
    Ok(b.build())
}

/// The alert the server sent, as OpenSSL names it ("tlsv13 alert certificate required").
fn alert_in(stack: Option<&openssl::error::ErrorStack>) -> Option<String> {
    stack?
        .errors()
        .iter()
        .filter_map(openssl::error::Error::reason)
        .find(|r| r.contains("alert"))
        .map(str::to_owned)
}

/// Whether the port answers a plain HTTP request with an HTTP response.
fn speaks_http(target: &Target) -> bool {
    let Ok(mut tcp) = connect(target) else {
        return false;
    };
    let request = format!("HEAD / HTTP/1.0\r\nHost: {}\r\n\r\n", target.host);
    if tcp.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut buf = [0u8; 5];
    tcp.read_exact(&mut buf).is_ok() && &buf == b"HTTP/"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let t = Target::parse("https://weborca-server:8000/").expect("url");
        assert_eq!(
            (t.host.as_str(), t.port, t.plain_http_url),
            ("weborca-server", 8000, false)
        );
        let t = Target::parse("http://192.168.1.100").expect("url");
        assert_eq!(
            (t.host.as_str(), t.port, t.plain_http_url),
            ("192.168.1.100", 8000, true)
        );
        let t = Target::parse("[fd00::1]:8443").expect("url");
        assert_eq!((t.host.as_str(), t.port), ("fd00::1", 8443));
        assert_eq!(t.display(), "[fd00::1]:8443");
        assert!(Target::parse("ftp://x").is_err());
        assert!(Target::parse("https://x:port").is_err());
        assert!(Target::parse("https://:8000").is_err());
    }

    #[test]
    fn nothing_listening_is_reported_as_such() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        drop(l);
        let t = Target::parse(&format!("https://127.0.0.1:{port}")).expect("url");
        let f = probe(&t, None, None);
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].id.as_str(), f[0].status.as_str()),
            ("probe_connect", "error")
        );
    }
}
