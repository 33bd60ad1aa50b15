//! The Unix user and group WebORCA-Server runs as (`weborca_user`,
//! `weborca_group`), looked up in the password and group databases.

use std::ffi::{CStr, CString};

use crate::error::{Error, Result, WebOrcaProblem};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub user: String,
    pub uid: u32,
    pub group: String,
    pub gid: u32,
    /// The user's supplementary groups and primary group, for "can it read this?".
    pub groups: Vec<u32>,
}

impl Owner {
    /// Both names must exist: a file owned by a number nobody has would
    /// be unreadable by WebORCA-Server and puzzling to an administrator.
    pub fn lookup(user: &str, group: &str) -> Result<Owner> {
        let (uid, primary) = user_ids(user)?.ok_or_else(|| {
            Error::WebOrca(WebOrcaProblem::UnknownUser {
                user: user.to_owned(),
            })
        })?;
        let gid = group_id(group)?.ok_or_else(|| {
            Error::WebOrca(WebOrcaProblem::UnknownGroup {
                group: group.to_owned(),
            })
        })?;
        let groups = supplementary_groups(user, primary);
        Ok(Owner {
            user: user.to_owned(),
            uid,
            group: group.to_owned(),
            gid,
            groups,
        })
    }

    /// Whether this user may read a file with this owner and mode (root
    /// aside, the classic owner/group/other rule the kernel applies).
    pub fn can_read(&self, file_uid: u32, file_gid: u32, mode: u32) -> bool {
        if self.uid == 0 {
            return true;
        }
        if file_uid == self.uid {
            return mode & 0o400 != 0;
        }
        if self.groups.contains(&file_gid) {
            return mode & 0o040 != 0;
        }
        mode & 0o004 != 0
    }
}

fn c_name(name: &str) -> Result<CString> {
    CString::new(name).map_err(|_| {
        Error::WebOrca(WebOrcaProblem::UnknownUser {
            user: name.replace('\0', "?"),
        })
    })
}

/// uid and primary gid of `user`, if it exists.
fn user_ids(user: &str) -> Result<Option<(u32, u32)>> {
    let name = c_name(user)?;
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: an all-zero passwd is a valid value of a plain C struct.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; buf's length is passed.
    let rc = unsafe {
        libc::getpwnam_r(
            name.as_ptr(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut found,
        )
    };
    if rc != 0 || found.is_null() {
        return Ok(None);
    }
    Ok(Some((pwd.pw_uid, pwd.pw_gid)))
}

fn group_id(group: &str) -> Result<Option<u32>> {
    let name = c_name(group)?;
    let mut buf = vec![0 as libc::c_char; 64 * 1024];
    // SAFETY: an all-zero group is a valid value of a plain C struct.
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::group = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; buf's length is passed.
    let rc = unsafe {
        libc::getgrnam_r(
            name.as_ptr(),
            &mut grp,
            buf.as_mut_ptr(),
            buf.len(),
            &mut found,
        )
    };
    if rc != 0 || found.is_null() {
        return Ok(None);
    }
    Ok(Some(grp.gr_gid))
}

fn supplementary_groups(user: &str, primary: u32) -> Vec<u32> {
    let Ok(name) = CString::new(user) else {
        return vec![primary];
    };
    let mut groups = vec![0 as libc::gid_t; 256];
    let mut n = groups.len() as libc::c_int;
    // SAFETY: groups has room for n entries; name is NUL-terminated.
    let rc = unsafe { libc::getgrouplist(name.as_ptr(), primary, groups.as_mut_ptr(), &mut n) };
    if rc < 0 {
        return vec![primary];
    }
    groups.truncate(usize::try_from(n).unwrap_or(0));
    groups
}

/// The name of a uid, for messages ("owned by root").
pub fn user_name(uid: u32) -> String {
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
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
    uid.to_string()
}

/// The name of a gid, for messages and tests.
pub fn group_name(gid: u32) -> String {
    let mut buf = vec![0 as libc::c_char; 64 * 1024];
    // SAFETY: an all-zero group is a valid value of a plain C struct.
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::group = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; buf's length is passed.
    let rc = unsafe { libc::getgrgid_r(gid, &mut grp, buf.as_mut_ptr(), buf.len(), &mut found) };
    if rc == 0 && !found.is_null() && !grp.gr_name.is_null() {
        // SAFETY: on success gr_name points to a NUL-terminated string in buf.
        return unsafe { CStr::from_ptr(grp.gr_name) }
            .to_string_lossy()
            .into_owned();
    }
    gid.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_exists_and_nobody_made_up_does_not() {
        let root = Owner::lookup("root", "root").expect("root");
        assert_eq!((root.uid, root.gid), (0, 0));
        let err = Owner::lookup("no-such-user-orca-test", "root").expect_err("unknown");
        assert!(matches!(
            err,
            Error::WebOrca(WebOrcaProblem::UnknownUser { .. })
        ));
        let err = Owner::lookup("root", "no-such-group-orca-test").expect_err("unknown");
        assert!(matches!(
            err,
            Error::WebOrca(WebOrcaProblem::UnknownGroup { .. })
        ));
    }

    #[test]
    fn read_permission_follows_owner_group_other() {
        let o = Owner {
            user: "orca".into(),
            uid: 1000,
            group: "orca".into(),
            gid: 1000,
            groups: vec![1000],
        };
        assert!(o.can_read(1000, 0, 0o400));
        assert!(
            !o.can_read(1000, 1000, 0o040),
            "owner bits decide for the owner"
        );
        assert!(!o.can_read(0, 0, 0o400));
        assert!(o.can_read(0, 1000, 0o440));
        assert!(!o.can_read(0, 0, 0o440));
        assert!(o.can_read(0, 0, 0o444));
    }
}
