//! `jma-receipt.conf`: a shell-sourced `KEY=VALUE` file that belongs to the
//! administrator and to WebORCA. We set `SERVER_CRT=`, `SERVER_PEM=` and
//! `CA_CRT=` and touch nothing else: every other line, comment, blank line
//! and the order stay byte for byte (the file may be EUC-JP or UTF-8, so it
//! is handled as bytes). A backup of the previous file is kept next to it.

use std::collections::{HashMap, HashSet};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::error::{Error, Result, WebOrcaProblem};
use crate::state;

use super::install::chown_file;

pub const FILE_NAME: &str = "jma-receipt.conf";
pub const SERVER_CRT: &str = "SERVER_CRT";
pub const SERVER_PEM: &str = "SERVER_PEM";
pub const CA_CRT: &str = "CA_CRT";

/// Mode of a conf file we create (`create` option): readable by WebORCA.
const NEW_FILE_MODE: u32 = 0o644;

/// One `[export] KEY=value [rest]` line, split where we need it.
struct Assignment<'a> {
    /// Leading blanks and `export `, kept as they were.
    prefix: &'a [u8],
    key: &'a [u8],
    /// The value as written (quotes included).
    raw_value: &'a [u8],
    /// What follows the value (`  # comment`, `; other`), kept as it was.
    rest: &'a [u8],
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_name_byte(b: u8, first: bool) -> bool {
    b == b'_' || b.is_ascii_alphabetic() || (!first && b.is_ascii_digit())
}

fn parse_assignment(line: &[u8]) -> Option<Assignment<'_>> {
    let mut i = line.iter().take_while(|b| is_blank(**b)).count();
    if line[i..].starts_with(b"export") && line.get(i + 6).is_some_and(|b| is_blank(*b)) {
        i += 6;
        i += line[i..].iter().take_while(|b| is_blank(**b)).count();
    }
    let key_start = i;
    while line
        .get(i)
        .is_some_and(|b| is_name_byte(*b, i == key_start))
    {
        i += 1;
    }
    if i == key_start || line.get(i) != Some(&b'=') {
        return None;
    }
    let value_start = i + 1;
    let value_end = value_start + word_end(&line[value_start..]);
    Some(Assignment {
        prefix: &line[..key_start],
        key: &line[key_start..i],
        raw_value: &line[value_start..value_end],
        rest: &line[value_end..],
    })
}

/// Where a shell word ends: at the first blank or `;` outside quotes.
fn word_end(s: &[u8]) -> usize {
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b' ' | b'\t' | b';' => return i,
            b'\\' => i += 2,
            b'\'' => {
                i += 1;
                while i < s.len() && s[i] != b'\'' {
                    i += 1;
                }
                i += 1;
            }
            b'"' => {
                i += 1;
                while i < s.len() && s[i] != b'"' {
                    if s[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    s.len()
}

/// A value as the shell would read it: bare when it has only characters
/// the shell leaves alone (as the ORCA page writes the paths), otherwise in
/// single quotes.
pub fn quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_./@%+=:,-".contains(&b));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// The value of a shell word after quote removal and `$VAR` / `${VAR}`
/// expansion from `vars`. `None` when it needs more of a shell than that
/// (command substitution, unknown variables, other expansions).
pub fn unquote(raw: &[u8], vars: &HashMap<String, String>) -> Option<String> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut in_double = false;
    while i < raw.len() {
        let b = raw[i];
        match b {
            b'\'' if !in_double => {
                let end = raw[i + 1..].iter().position(|c| *c == b'\'')? + i + 1;
                out.extend_from_slice(&raw[i + 1..end]);
                i = end + 1;
            }
            b'"' => {
                in_double = !in_double;
                i += 1;
            }
            b'\\' => {
                let next = *raw.get(i + 1)?;
                if in_double && !b"$`\"\\".contains(&next) {
                    out.push(b'\\');
                }
                out.push(next);
                i += 2;
            }
            b'`' => return None,
            b'$' => {
                let (name, len) = variable_name(&raw[i + 1..])?;
                out.extend_from_slice(vars.get(name)?.as_bytes());
                i += 1 + len;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    if in_double {
        return None;
    }
    String::from_utf8(out).ok()
}

/// `NAME` or `{NAME}` after a `$`: the name and how many bytes it took.
fn variable_name(s: &[u8]) -> Option<(&str, usize)> {
    let (start, braced) = if s.first() == Some(&b'{') {
        (1, true)
    } else {
        (0, false)
    };
    let mut end = start;
    while s.get(end).is_some_and(|b| is_name_byte(*b, end == start)) {
        end += 1;
    }
    if end == start {
        return None;
    }
    let name = std::str::from_utf8(&s[start..end]).ok()?;
    if braced {
        (s.get(end) == Some(&b'}')).then_some((name, end + 1))
    } else {
        Some((name, end))
    }
}

/// Content and line ending (`\n`, `\r\n` or nothing) of one line.
fn split_eol(line: &[u8]) -> (&[u8], &[u8]) {
    let mut content = line.len();
    if line.ends_with(b"\n") {
        content -= 1;
        if line[..content].ends_with(b"\r") {
            content -= 1;
        }
    }
    (&line[..content], &line[content..])
}

/// The variables the file assigns, evaluated in order as `.` would (the
/// last assignment wins). Values that need a real shell are left out.
pub fn read_vars(text: &[u8]) -> HashMap<String, String> {
    let mut vars = HashMap::new();
    for line in text.split_inclusive(|b| *b == b'\n') {
        let (content, _) = split_eol(line);
        let Some(a) = parse_assignment(content) else {
            continue;
        };
        let Ok(key) = std::str::from_utf8(a.key) else {
            continue;
        };
        match unquote(a.raw_value, &vars) {
            Some(v) => {
                vars.insert(key.to_owned(), v);
            }
            None => {
                vars.remove(key);
            }
        }
    }
    vars
}

/// The file with `settings` applied. The first assignment of each key gets
/// the new value in place (its indentation, `export` and trailing comment
/// kept); later assignments of the same key, which the shell would let win,
/// are commented out; keys not assigned anywhere are appended.
pub fn edit(text: &[u8], settings: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 256);
    let mut seen: HashSet<&str> = HashSet::new();
    for line in text.split_inclusive(|b| *b == b'\n') {
        let (content, eol) = split_eol(line);
        let ours = parse_assignment(content).and_then(|a| {
            settings
                .iter()
                .find(|(k, _)| k.as_bytes() == a.key)
                .map(|(k, v)| (a, *k, *v))
        });
        let Some((a, key, value)) = ours else {
            out.extend_from_slice(line);
            continue;
        };
        if seen.insert(key) {
            out.extend_from_slice(a.prefix);
            out.extend_from_slice(key.as_bytes());
            out.push(b'=');
            out.extend_from_slice(quote(value).as_bytes());
            out.extend_from_slice(a.rest);
        } else {
            out.push(b'#');
            out.extend_from_slice(content);
            out.extend_from_slice(crate::messages::conf_superseded_comment().as_bytes());
        }
        out.extend_from_slice(eol);
    }
    let missing: Vec<&(&str, &str)> = settings.iter().filter(|(k, _)| !seen.contains(k)).collect();
    if !missing.is_empty() {
        if !out.is_empty() && !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        out.extend_from_slice(crate::messages::conf_appended_comment().as_bytes());
        out.push(b'\n');
        for (k, v) in missing {
            out.extend_from_slice(format!("{k}={}\n", quote(v)).as_bytes());
        }
    }
    out
}

/// Whether [`apply`] can work on `path`, found out before anything else is
/// written: missing (an error unless `create`), or not a regular file.
pub fn check(path: &Path, create: bool) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(m) => Err(not_editable(path, &m)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(Error::WebOrca(WebOrcaProblem::NotInstalled {
                path: path.to_owned(),
            }))
        }
        Err(e) => Err(Error::io(path, e)),
    }
}

fn not_editable(path: &Path, meta: &fs::Metadata) -> Error {
    let why = if meta.file_type().is_symlink() {
        crate::messages::conf_is_symlink()
    } else {
        crate::messages::not_a_regular_file()
    };
    Error::io(
        path,
        std::io::Error::new(std::io::ErrorKind::InvalidInput, why),
    )
}

/// What [`apply`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfChange {
    pub path: PathBuf,
    /// The previous file, kept; `None` when nothing was replaced.
    pub backup: Option<PathBuf>,
    /// False when the file already said exactly this.
    pub changed: bool,
    pub created: bool,
}

/// Applies `settings` to the conf file at `path`. A missing file is an
/// error (WebORCA does not look installed) unless `create`. The previous
/// content goes to a timestamped backup beside it; the new file replaces
/// it atomically with the same owner and mode. A symbolic link is refused:
/// whoever may write the conf directory (WebORCA's user) could point it at
/// any file root can write.
pub fn apply(
    path: &Path,
    settings: &[(&str, &str)],
    create: bool,
    now: OffsetDateTime,
) -> Result<ConfChange> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !create {
                return Err(Error::WebOrca(WebOrcaProblem::NotInstalled {
                    path: path.to_owned(),
                }));
            }
            let text = edit(b"", settings);
            state::write_new(path, &text, NEW_FILE_MODE)?;
            return Ok(ConfChange {
                path: path.to_owned(),
                backup: None,
                changed: true,
                created: true,
            });
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    if !meta.is_file() {
        return Err(not_editable(path, &meta));
    }
    let real = path;
    let old = fs::read(real).map_err(|e| Error::io(real, e))?;
    let new = edit(&old, settings);
    if new == old {
        return Ok(ConfChange {
            path: path.to_owned(),
            backup: None,
            changed: false,
            created: false,
        });
    }
    let mode = meta.mode() & 0o7777;
    let backup = backup_path(real, now);
    write_owned(&backup, &old, mode, meta.uid(), meta.gid(), true)?;
    write_owned(real, &new, mode, meta.uid(), meta.gid(), false)?;
    Ok(ConfChange {
        path: path.to_owned(),
        backup: Some(backup),
        changed: true,
        created: false,
    })
}

/// `jma-receipt.conf.20261130-110500.bak` (UTC), never an existing name.
fn backup_path(file: &Path, now: OffsetDateTime) -> PathBuf {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| FILE_NAME.to_owned());
    let stamp = format!(
        "{:04}{:02}{:02}-{:02}{:02}{:02}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let mut candidate = file.with_file_name(format!("{name}.{stamp}.bak"));
    let mut n = 2;
    while fs::symlink_metadata(&candidate).is_ok() {
        candidate = file.with_file_name(format!("{name}.{stamp}-{n}.bak"));
        n += 1;
    }
    candidate
}

/// Writes `bytes` with this owner and mode: a new file (`fresh`), or an
/// atomic replacement through a temporary file and rename.
fn write_owned(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    uid: u32,
    gid: u32,
    fresh: bool,
) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let target = if fresh {
        path.to_owned()
    } else {
        dir.join(format!(".{name}.tmp-{}", std::process::id()))
    };
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&target)
            .map_err(|e| Error::io(&target, e))?;
        f.write_all(bytes).map_err(|e| Error::io(&target, e))?;
        chown_file(&f, &target, uid, gid)?;
        f.set_permissions(fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(&target, e))?;
        f.sync_all().map_err(|e| Error::io(&target, e))?;
        if !fresh {
            fs::rename(&target, path).map_err(|e| Error::io(path, e))?;
        }
        state::sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&target);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shaped like the file WebORCA ships: comments (one in EUC-JP), other
    /// variables, an old SERVER_CRT= line.
    fn realistic() -> Vec<u8> {
        let mut t = Vec::new();
        t.extend_from_slice(b"# jma-receipt.conf for WebORCA\n");
        t.extend_from_slice(b"# \xc6\xfc\xa5\xec\xa5\xbb settings\n");
        t.extend_from_slice(b"DBNAME=orca\nDBHOST=localhost\n\n");
        t.extend_from_slice(b"WEBORCA_PORT=8000   # listen port\n");
        t.extend_from_slice(b"#SERVER_CRT=/example/commented.crt\n");
        t.extend_from_slice(b"SERVER_CRT=/opt/jma/weborca/conf/000002__JP_orca_old.crt\n");
        t.extend_from_slice(b"LOGLEVEL=info\n");
        t
    }

    const NEW: [(&str, &str); 3] = [
        (
            SERVER_CRT,
            "/opt/jma/weborca/conf/000005__JP_orca_weborca-server.crt",
        ),
        (
            SERVER_PEM,
            "/opt/jma/weborca/conf/000005__JP_orca_weborca-server.pem",
        ),
        (CA_CRT, "/opt/jma/weborca/conf/ca.crt"),
    ];

    fn lines(b: &[u8]) -> Vec<Vec<u8>> {
        b.split(|c| *c == b'\n').map(<[u8]>::to_vec).collect()
    }

    #[test]
    fn replaces_in_place_appends_the_rest_and_keeps_every_other_byte() {
        let old = realistic();
        let new = edit(&old, &NEW);
        let text = String::from_utf8_lossy(&new);
        let old_lines = lines(&old);
        let new_lines = lines(&new);
        // Lines 0..7 are unchanged (the commented one too), line 7 (the old
        // SERVER_CRT) is replaced in place.
        assert_eq!(new_lines[..7], old_lines[..7]);
        assert_eq!(
            new_lines[7],
            b"SERVER_CRT=/opt/jma/weborca/conf/000005__JP_orca_weborca-server.crt"
        );
        assert_eq!(new_lines[8], b"LOGLEVEL=info");
        assert!(text.ends_with(
            "SERVER_PEM=/opt/jma/weborca/conf/000005__JP_orca_weborca-server.pem\nCA_CRT=/opt/jma/weborca/conf/ca.crt\n"
        ), "{text}");
        let vars = read_vars(&new);
        assert_eq!(vars[SERVER_CRT], NEW[0].1);
        assert_eq!(vars[SERVER_PEM], NEW[1].1);
        assert_eq!(vars[CA_CRT], NEW[2].1);
        assert_eq!(vars["WEBORCA_PORT"], "8000");
        assert_eq!(edit(&new, &NEW), new, "applying twice changes nothing");
    }

    #[test]
    fn later_duplicates_are_commented_out_so_ours_wins() {
        let old = b"SERVER_CRT=/a.crt\nX=1\nexport SERVER_CRT=\"/b.crt\"  # second\n";
        let new = edit(old, &NEW[..1]);
        assert_eq!(
            String::from_utf8_lossy(&new),
            format!(
                "SERVER_CRT={}\nX=1\n#export SERVER_CRT=\"/b.crt\"  # second{}\n",
                NEW[0].1,
                crate::messages::conf_superseded_comment()
            )
        );
        assert_eq!(read_vars(&new)[SERVER_CRT], NEW[0].1);
    }

    #[test]
    fn indentation_export_trailing_comment_and_crlf_are_kept() {
        let old = b"  export CA_CRT='/old ca.crt' # the CA\r\nA=1";
        let new = edit(old, &[(CA_CRT, "/new/ca.crt")]);
        assert_eq!(new, b"  export CA_CRT=/new/ca.crt # the CA\r\nA=1".to_vec());
        let new = edit(b"A=1", &[(CA_CRT, "/x")]);
        assert!(new.starts_with(b"A=1\n#"), "newline added before appending");
    }

    #[test]
    fn values_the_shell_would_split_are_quoted() {
        assert_eq!(
            quote("/opt/jma/weborca/conf/ca.crt"),
            "/opt/jma/weborca/conf/ca.crt"
        );
        assert_eq!(quote("/dir with space/a.crt"), "'/dir with space/a.crt'");
        assert_eq!(quote("/it's/$HOME"), r"'/it'\''s/$HOME'");
        let new = edit(b"", &[(CA_CRT, "/it's here/$x")]);
        assert_eq!(read_vars(&new)[CA_CRT], "/it's here/$x");
    }

    #[test]
    fn reading_values_like_the_shell() {
        let vars = read_vars(
            b"D=/opt/jma\nA=\"$D/conf\"\nB=${D}/x\\ y\nC='$D'\nE=$(hostname)\nF=1\nF=2\n",
        );
        assert_eq!(vars["A"], "/opt/jma/conf");
        assert_eq!(vars["B"], "/opt/jma/x y");
        assert_eq!(vars["C"], "$D");
        assert!(
            !vars.contains_key("E"),
            "command substitution is not ours to run"
        );
        assert_eq!(vars["F"], "2");
    }

    #[test]
    fn apply_keeps_a_backup_mode_and_owner_and_is_idempotent() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join(FILE_NAME);
        fs::write(&path, realistic()).expect("seed");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).expect("chmod");
        let now = OffsetDateTime::from_unix_timestamp(1_795_000_000).expect("time");
        let change = apply(&path, &NEW, false, now).expect("apply");
        assert!(change.changed && !change.created);
        let backup = change.backup.expect("backup");
        assert_eq!(fs::read(&backup).expect("backup"), realistic());
        assert_eq!(
            backup.file_name().expect("name").to_string_lossy(),
            "jma-receipt.conf.20261118-110640.bak"
        );
        let m = fs::metadata(&path).expect("meta");
        assert_eq!(m.mode() & 0o7777, 0o640);
        assert_eq!(fs::metadata(&backup).expect("meta").mode() & 0o7777, 0o640);
        assert_eq!(fs::read(&path).expect("read"), edit(&realistic(), &NEW));
        let again = apply(&path, &NEW, false, now).expect("again");
        assert!(!again.changed && again.backup.is_none());
        // A second change in the same second gets its own backup.
        let third = apply(
            &path,
            &NEW[..1]
                .iter()
                .map(|(k, _)| (*k, "/z.crt"))
                .collect::<Vec<_>>(),
            false,
            now,
        )
        .expect("third");
        assert_ne!(third.backup.as_deref(), Some(backup.as_path()));
        assert_eq!(
            fs::read_dir(tmp.path()).expect("ls").count(),
            3,
            "conf + 2 backups, no temp files"
        );
    }

    #[test]
    fn a_symlinked_conf_is_refused_and_its_target_left_alone() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let target = tmp.path().join("elsewhere");
        fs::write(&target, b"A=1\n").expect("seed");
        let link = tmp.path().join(FILE_NAME);
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        let err = apply(&link, &NEW, true, OffsetDateTime::UNIX_EPOCH).expect_err("symlink");
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(fs::read(&target).expect("read"), b"A=1\n");
        assert_eq!(
            fs::read_dir(tmp.path()).expect("ls").count(),
            2,
            "no backup, no temp"
        );
    }

    #[test]
    fn missing_file_is_an_error_unless_create() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join(FILE_NAME);
        let err = apply(&path, &NEW, false, OffsetDateTime::UNIX_EPOCH).expect_err("missing");
        assert!(matches!(
            err,
            Error::WebOrca(WebOrcaProblem::NotInstalled { .. })
        ));
        assert!(err.to_string().contains("does not look installed"), "{err}");
        assert!(!path.exists());
        let change = apply(&path, &NEW, true, OffsetDateTime::UNIX_EPOCH).expect("create");
        assert!(change.created && change.backup.is_none());
        assert_eq!(
            read_vars(&fs::read(&path).expect("read"))[SERVER_PEM],
            NEW[1].1
        );
        assert_eq!(fs::metadata(&path).expect("meta").mode() & 0o7777, 0o644);
    }
}
