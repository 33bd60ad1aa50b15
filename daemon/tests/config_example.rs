//! The example configuration shipped as /etc/orca-ca/orca-cad.toml
//! (daemon/orca-cad.toml) must name every key the daemon reads, each with
//! the daemon's own default, so an administrator can trust the comments.

use std::path::Path;

use orca_cad::config::Config;

const EXAMPLE: &str = include_str!("../orca-cad.toml");
const EXAMPLE_PATH: &str = "orca-cad.toml";

/// The keys the parser accepts, taken from its own "unknown field" error,
/// so a key added to the daemon fails this test until the example has it.
fn accepted_keys() -> Vec<String> {
    let err = Config::parse("no_such_key_for_this_test = 1\n", Path::new(EXAMPLE_PATH))
        .expect_err("an unknown key must be refused")
        .to_string();
    let (_, list) = err
        .split_once("expected one of")
        .unwrap_or_else(|| panic!("no key list in: {err}"));
    let keys: Vec<String> = list
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    assert!(keys.len() > 5, "too few keys found in: {err}");
    keys
}

/// `(key, line)` for every commented-out setting `#key = value`.
fn commented_settings() -> Vec<(String, String)> {
    EXAMPLE
        .lines()
        .filter_map(|l| l.strip_prefix('#'))
        .filter_map(|l| {
            let (key, _) = l.split_once(" = ")?;
            let plain = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            plain.then(|| (key.to_owned(), l.to_owned()))
        })
        .collect()
}

#[test]
fn as_shipped_it_changes_nothing() {
    let c = Config::parse(EXAMPLE, Path::new(EXAMPLE_PATH)).expect("the example parses");
    assert_eq!(format!("{c:?}"), format!("{:?}", Config::default()));
}

#[test]
fn every_key_is_there_once() {
    let settings = commented_settings();
    let mut found: Vec<&str> = settings.iter().map(|(k, _)| k.as_str()).collect();
    found.sort_unstable();
    let mut expected = accepted_keys();
    expected.sort_unstable();
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    assert_eq!(
        found, expected,
        "keys in daemon/orca-cad.toml vs the parser"
    );
}

#[test]
fn uncommented_each_value_is_the_default() {
    // ca_name has no fixed default (host name and date); its line is an
    // example of the form, checked for being accepted only.
    let all: String = commented_settings()
        .into_iter()
        .map(|(_, line)| line + "\n")
        .collect();
    let mut c = Config::parse(&all, Path::new(EXAMPLE_PATH)).expect("uncommented example parses");
    assert!(c.ca_name.is_some());
    c.ca_name = None;
    assert_eq!(format!("{c:?}"), format!("{:?}", Config::default()));
}
