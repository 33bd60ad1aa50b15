# shellcheck shell=bash
# orca-catool-rs end-to-end harness: a private system-like D-Bus, the real
# polkitd on it, the project's polkit files and two unprivileged test users.
#
#   . tests/harness/lib.sh            # sets ORCA_E2E_DIR (a fresh 0755 temp dir unless given)
#   trap e2e_stop_all EXIT
#   e2e_start_bus; e2e_install_polkit; e2e_start_polkit; e2e_setup_users
#   e2e_as orcae2e-member orca-cactl list
#
# Needs root (users, polkit's compiled-in directories, polkitd drops to "polkitd").
# All run state lives in $ORCA_E2E_DIR (pids, logs, socket, records of what was
# installed), so functions also work from separate `bash -c '. lib.sh; …'`
# invocations that share one ORCA_E2E_DIR. Every function is idempotent.
#
# Host-wide changes (polkit files, users) are serialized between concurrent runs
# by a lock directory ($ORCA_E2E_LOCK) held from the first such change until
# e2e_stop_all.
#
# Executed instead of sourced:  ORCA_E2E_DIR=DIR bash tests/harness/lib.sh stop-all|dump-logs
# cleans up after (or shows the logs of) a run that could not do it itself.

E2E_HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_REPO_DIR=$(cd "$E2E_HARNESS_DIR/../.." && pwd)

# Names fixed by the product (systemd/dbus, systemd/polkit) and by this harness.
E2E_BUS_NAME=jp.or.med.orca.CaTool1
E2E_GROUP=orca-ca
E2E_MEMBER=orcae2e-member   # in $E2E_GROUP
E2E_OTHER=orcae2e-other     # not in $E2E_GROUP
E2E_ADMIN=orcae2e-admin     # in sudo, with a password: polkit's administrator (e2e_add_admin)
E2E_DBUS_CONF=$E2E_REPO_DIR/systemd/dbus/jp.or.med.orca.CaTool1.conf
E2E_DBUS_ACTIVATION=$E2E_REPO_DIR/systemd/dbus/jp.or.med.orca.CaTool1.service
E2E_POLKIT_POLICY=$E2E_REPO_DIR/systemd/polkit/jp.or.med.orca.catool.policy
E2E_POLKIT_RULES=$E2E_REPO_DIR/systemd/polkit/50-jp.or.med.orca.catool.rules
# polkitd's directories are compiled in; there is no way to point it elsewhere.
E2E_POLKIT_ACTIONS_DIR=/usr/share/polkit-1/actions
E2E_POLKIT_RULES_DIR=/etc/polkit-1/rules.d
E2E_POLKITD=${ORCA_E2E_POLKITD:-/usr/lib/polkit-1/polkitd}
E2E_LOCK=${ORCA_E2E_LOCK:-/run/lock/orca-catool-e2e.lock}
E2E_LOCK_TIMEOUT=${ORCA_E2E_LOCK_TIMEOUT:-600}
# Line appended to every polkit file the harness installs: a file carrying it is
# the harness's own (even one left by a run that was killed), anything else is not.
E2E_MARK="installed by orca-catool-rs tests/harness"
# Variables e2e_as passes through to the user's environment when set.
ORCA_E2E_PASS_ENV=${ORCA_E2E_PASS_ENV:-RUST_LOG RUST_BACKTRACE LANG LC_ALL LANGUAGE NO_COLOR}
ORCA_E2E_USER_PATH=${ORCA_E2E_USER_PATH:-/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin}

# ---------------------------------------------------------------- internals

_e2e_log() { echo "e2e: $*" >&2; }
_e2e_fail() { _e2e_log "error: $*"; return 1; }

# Poll every 0.1 s: _e2e_wait SECONDS CMD...
_e2e_wait() {
    local n=$(( $1 * 10 )); shift
    while [ "$n" -gt 0 ]; do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1; n=$(( n - 1 ))
    done
    return 1
}

# Running = exists and is not a zombie (kill -0 succeeds on zombies).
_e2e_running() {
    local pid=${1:-} state
    [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
    state=$(sed 's/^.*) \(.\).*$/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
    [ "$state" != Z ]
}
_e2e_gone() { ! _e2e_running "$1"; }

# Pid from a pid file if that process is still running that executable (guards pid reuse).
_e2e_pid() {  # _e2e_pid PIDFILE EXE
    local pid
    [ -s "$1" ] || return 1
    pid=$(cat "$1")
    _e2e_running "$pid" || return 1
    [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$2" ] || return 1
    echo "$pid"
}

# TERM, then KILL after 5 s; reap it if it is our child. _e2e_kill PID
_e2e_kill() {
    local pid=$1
    _e2e_running "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    if ! _e2e_wait 5 _e2e_gone "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
        _e2e_wait 2 _e2e_gone "$pid" || true
    fi
    wait "$pid" 2>/dev/null || true   # only reaps children of this shell; harmless otherwise
}

_e2e_busctl() { busctl --address="unix:path=$ORCA_E2E_DIR/system_bus_socket" "$@"; }
_e2e_bus_answers() {
    [ -S "$ORCA_E2E_DIR/system_bus_socket" ] &&
        _e2e_busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetId >/dev/null 2>&1
}
_e2e_has_owner() {  # _e2e_has_owner NAME
    [ "$(_e2e_busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
        NameHasOwner s "$1" 2>/dev/null)" = "b true" ]
}
_e2e_no_owner() { ! _e2e_has_owner "$1"; }

_e2e_need_root() { [ "$(id -u)" = 0 ] || _e2e_fail "${FUNCNAME[1]} needs root"; }
_e2e_need_dir() {
    [ -n "${ORCA_E2E_DIR:-}" ] || _e2e_fail "ORCA_E2E_DIR is not set" || return 1
    mkdir -p "$ORCA_E2E_DIR" && chmod 0755 "$ORCA_E2E_DIR"   # test users must traverse it
}

# Host-wide lock: a directory whose "owner" file names the ORCA_E2E_DIR holding it
# and the pid of the shell that took it. Re-entrant for the same dir. Stale when
# that dir is gone, or when that shell, its dbus-daemon and its polkitd are all
# gone (a run driven by several short `bash -c` calls keeps its bus running).
_e2e_lock() {
    local owner opid waited=0
    while ! mkdir "$E2E_LOCK" 2>/dev/null; do
        { read -r owner; read -r opid; } 2>/dev/null < "$E2E_LOCK/owner" || owner=
        if [ "$owner" = "$ORCA_E2E_DIR" ]; then return 0; fi
        if _e2e_lock_stale "$owner" "${opid:-}"; then
            _e2e_log "breaking stale lock $E2E_LOCK (owner '${owner:-none}' is gone)"
            rm -rf "$E2E_LOCK"; continue
        fi
        if [ "$waited" -ge "$E2E_LOCK_TIMEOUT" ]; then
            _e2e_fail "$E2E_LOCK still held by $owner after ${waited}s"
            return 1
        fi
        if [ "$waited" -eq 0 ]; then
            _e2e_log "waiting for $E2E_LOCK, held by $owner (if that run died: ORCA_E2E_DIR=$owner bash $E2E_HARNESS_DIR/lib.sh stop-all)"
        fi
        sleep 1; waited=$(( waited + 1 ))
    done
    printf '%s\n%s\n' "$ORCA_E2E_DIR" "$$" > "$E2E_LOCK/owner"
}
_e2e_lock_stale() {  # _e2e_lock_stale OWNER_DIR OWNER_PID
    if [ -z "$1" ]; then   # between mkdir and writing "owner", or a crash right there
        [ -n "$(find "$E2E_LOCK" -maxdepth 0 -mmin +1 2>/dev/null)" ]; return
    fi
    [ -d "$1" ] || return 0
    _e2e_running "$2" && return 1
    _e2e_pid "$1/dbus.pid" /usr/bin/dbus-daemon >/dev/null && return 1
    _e2e_pid "$1/polkitd.pid" "$E2E_POLKITD" >/dev/null && return 1
    return 0
}
_e2e_unlock() {
    [ "$(head -n 1 "$E2E_LOCK/owner" 2>/dev/null)" = "$ORCA_E2E_DIR" ] && rm -rf "$E2E_LOCK"
    return 0
}

# ---------------------------------------------------------------- D-Bus

# Private system-like bus: stock system.conf rules, own socket, our policy.
e2e_start_bus() {
    _e2e_need_dir || return 1
    local d=$ORCA_E2E_DIR pid
    export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$d/system_bus_socket"
    if pid=$(_e2e_pid "$d/dbus.pid" /usr/bin/dbus-daemon); then
        if _e2e_bus_answers; then return 0; fi
        _e2e_kill "$pid"                  # alive but deaf: start afresh
    fi
    mkdir -p "$d/system.d" "$d/services" && chmod 0755 "$d/system.d" "$d/services" || return 1
    install -m 0644 "$E2E_DBUS_CONF" "$d/system.d/" || return 1
    # Differences from /usr/share/dbus-1/system.conf, and why: no <user> (stay root so
    # activated services run as root), no <fork>/<pidfile> (we keep the pid), no
    # <syslog> (log to dbus.log), no <servicehelper> (the setuid helper only reads
    # the stock config), own <listen> and <servicedir>.
    cat > "$d/system.conf" <<XML || return 1
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <servicedir>$d/services</servicedir>
  <auth>EXTERNAL</auth>
  <listen>unix:path=$d/system_bus_socket</listen>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Containers1"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus" send_member="UpdateActivationEnvironment"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Debug.Stats"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.systemd1.Activator"/>
  </policy>
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.systemd1.Activator"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Monitoring"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Debug.Stats"/>
  </policy>
  <includedir>/usr/share/dbus-1/system.d</includedir>
  <includedir>/etc/dbus-1/system.d</includedir>
  <includedir>$d/system.d</includedir>
</busconfig>
XML
    rm -f "$d/system_bus_socket"
    # A plain command (not a function) in the background, so $! is dbus-daemon itself.
    dbus-daemon --config-file="$d/system.conf" --nofork --nopidfile --nosyslog \
        --print-address=3 3>"$d/address" </dev/null >>"$d/dbus.log" 2>&1 &
    pid=$!
    echo "$pid" > "$d/dbus.pid"
    if ! _e2e_wait 10 _e2e_bus_answers; then
        _e2e_log "dbus-daemon did not answer on $d/system_bus_socket"
        tail -n 20 "$d/dbus.log" >&2
        _e2e_kill "$pid"; return 1
    fi
}

e2e_stop_bus() {
    [ -n "${ORCA_E2E_DIR:-}" ] && [ -d "$ORCA_E2E_DIR" ] || return 0
    local pid
    if pid=$(_e2e_pid "$ORCA_E2E_DIR/dbus.pid" /usr/bin/dbus-daemon); then _e2e_kill "$pid"; fi
    rm -f "$ORCA_E2E_DIR/dbus.pid" "$ORCA_E2E_DIR/system_bus_socket"
}

# Activation file for jp.or.med.orca.CaTool1: the shipped one with Exec= replaced.
# The private bus execs it itself, as root (User= and SystemdService= do not apply
# here), with dbus-daemon's environment plus DBUS_SYSTEM_BUS_ADDRESS/DBUS_STARTER_*;
# its stdout/stderr go to dbus.log. Exec is split shell-like, variables are not
# expanded: use `/usr/bin/env VAR=x /path/orca-cad --state-dir …` for settings.
e2e_install_activation() {  # e2e_install_activation 'EXEC LINE'
    [ -n "${1:-}" ] || _e2e_fail "usage: e2e_install_activation 'EXEC LINE'" || return 1
    _e2e_need_dir || return 1
    local out=$ORCA_E2E_DIR/services/$E2E_BUS_NAME.service line
    mkdir -p "$ORCA_E2E_DIR/services" || return 1
    while IFS= read -r line || [ -n "$line" ]; do
        case $line in Exec=*) line="Exec=$1" ;; esac
        printf '%s\n' "$line"
    done < "$E2E_DBUS_ACTIVATION" > "$out.tmp" || return 1
    chmod 0644 "$out.tmp" && mv -f "$out.tmp" "$out" || return 1
    if _e2e_bus_answers; then
        _e2e_busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig
    fi
}

# Stop whoever owns jp.or.med.orca.CaTool1 on the private bus (an activated or
# test-started orca-cad); only root may own it there, so it is ours.
e2e_stop_service() {
    [ -n "${ORCA_E2E_DIR:-}" ] && [ -d "$ORCA_E2E_DIR" ] || return 0
    _e2e_bus_answers || return 0
    _e2e_has_owner "$E2E_BUS_NAME" || return 0
    local pid
    pid=$(_e2e_busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
        GetConnectionUnixProcessID s "$E2E_BUS_NAME" 2>/dev/null | awk '{print $2}') || true
    [ -n "$pid" ] && _e2e_kill "$pid"
    _e2e_wait 5 _e2e_no_owner "$E2E_BUS_NAME" || _e2e_fail "$E2E_BUS_NAME still owned"
}

# ---------------------------------------------------------------- polkit

# Install one file (+ marker line) at DEST; back up a foreign file found there.
_e2e_polkit_put() {  # _e2e_polkit_put SRC DEST MARKER_LINE
    local src=$1 dest=$2 mark=$3 rec=$ORCA_E2E_DIR/polkit.installed backup=-
    if ! awk -v d="$dest" '$1 == d { f = 1 } END { exit !f }' "$rec" 2>/dev/null; then
        if [ -e "$dest" ] && ! grep -qF "$E2E_MARK" "$dest"; then
            # Someone else's file (a package, an admin): keep a copy, restore it later.
            mkdir -p "$ORCA_E2E_DIR/polkit-backup" || return 1
            backup=$ORCA_E2E_DIR/polkit-backup/${dest##*/}
            cp -p "$dest" "$backup" || return 1
            _e2e_log "backed up $dest (not ours) to $backup"
        fi
        echo "$dest $backup" >> "$rec" || return 1
    fi
    { cat "$src"; printf '%s\n' "$mark"; } > "$ORCA_E2E_DIR/polkit.tmp" || return 1
    # polkitd reads rules as user polkitd: 0644 root:root, written in one step.
    install -m 0644 -o root -g root "$ORCA_E2E_DIR/polkit.tmp" "$dest.e2e-tmp" &&
        mv -f "$dest.e2e-tmp" "$dest" && rm -f "$ORCA_E2E_DIR/polkit.tmp"
}

# Policy into the actions dir, rules into /etc/polkit-1/rules.d. A running
# polkitd notices by inotify ("Reloading rules"); no restart needed.
e2e_install_polkit() {
    _e2e_need_root || return 1
    _e2e_need_dir || return 1
    _e2e_lock || return 1
    _e2e_polkit_put "$E2E_POLKIT_POLICY" "$E2E_POLKIT_ACTIONS_DIR/${E2E_POLKIT_POLICY##*/}" \
        "<!-- $E2E_MARK -->" || return 1
    _e2e_polkit_put "$E2E_POLKIT_RULES" "$E2E_POLKIT_RULES_DIR/${E2E_POLKIT_RULES##*/}" \
        "// $E2E_MARK" || return 1
}

# Delete exactly what e2e_install_polkit put there (files carrying the marker)
# and restore whatever it backed up; also clears markers left by a killed run.
e2e_remove_polkit() {
    local rec dest backup f
    if [ -n "${ORCA_E2E_DIR:-}" ]; then rec=$ORCA_E2E_DIR/polkit.installed; else rec=/dev/null; fi
    if [ -f "$rec" ]; then
        while read -r dest backup; do
            if [ -f "$dest" ] && grep -qF "$E2E_MARK" "$dest"; then rm -f "$dest"; fi
            if [ "$backup" != - ] && [ -f "$backup" ]; then
                cp -p "$backup" "$dest" && rm -f "$backup" && _e2e_log "restored $dest"
            fi
        done < "$rec"
        rm -f "$rec"
    fi
    for f in "$E2E_POLKIT_ACTIONS_DIR/${E2E_POLKIT_POLICY##*/}" "$E2E_POLKIT_RULES_DIR/${E2E_POLKIT_RULES##*/}"; do
        if [ -f "$f" ] && grep -qF "$E2E_MARK" "$f"; then
            _e2e_log "removing leftover $f"; rm -f "$f"
        fi
    done
    return 0
}

# The real polkitd on the private bus. Started as root, it drops to user polkitd
# (started as another user it dies). stdbuf: its log is stdio, block-buffered in a file.
# Beware: installing/upgrading the polkitd package kills every polkitd (postinst).
e2e_start_polkit() {
    _e2e_need_root || return 1
    _e2e_bus_answers || _e2e_fail "private bus not running: call e2e_start_bus first" || return 1
    local d=$ORCA_E2E_DIR pid
    if _e2e_pid "$d/polkitd.pid" "$E2E_POLKITD" >/dev/null; then return 0; fi
    if _e2e_has_owner org.freedesktop.PolicyKit1; then
        _e2e_fail "org.freedesktop.PolicyKit1 is already owned on the private bus by someone else"
        return 1
    fi
    DBUS_SYSTEM_BUS_ADDRESS="unix:path=$d/system_bus_socket" \
        stdbuf -oL -eL "$E2E_POLKITD" </dev/null >>"$d/polkitd.log" 2>&1 &
    pid=$!
    echo "$pid" > "$d/polkitd.pid"
    if ! _e2e_wait 15 _e2e_has_owner org.freedesktop.PolicyKit1; then
        _e2e_log "polkitd did not take org.freedesktop.PolicyKit1"
        tail -n 20 "$d/polkitd.log" >&2
        _e2e_kill "$pid"; return 1
    fi
}

e2e_stop_polkit() {
    [ -n "${ORCA_E2E_DIR:-}" ] && [ -d "$ORCA_E2E_DIR" ] || return 0
    local pid
    if pid=$(_e2e_pid "$ORCA_E2E_DIR/polkitd.pid" "$E2E_POLKITD"); then _e2e_kill "$pid"; fi
    rm -f "$ORCA_E2E_DIR/polkitd.pid"
}

# Rules that fail to compile are skipped silently apart from this log line.
e2e_polkit_log_errors() {  # prints offending lines; status 0 = none
    [ -f "${ORCA_E2E_DIR:-}/polkitd.log" ] || return 0
    ! grep -a -E 'Error compiling script|Error evaluating|Error parsing|Error loading|SyntaxError|ReferenceError|TypeError' \
        "$ORCA_E2E_DIR/polkitd.log"
}

# ---------------------------------------------------------------- users

e2e_setup_users() {
    _e2e_need_root || return 1
    _e2e_need_dir || return 1
    _e2e_lock || return 1
    local d=$ORCA_E2E_DIR u home
    if ! getent group "$E2E_GROUP" >/dev/null; then
        groupadd --system "$E2E_GROUP" || return 1
        touch "$d/group-created"          # only then does e2e_remove_users delete it
    fi
    mkdir -p "$d/home" && chmod 0755 "$d/home" || return 1
    for u in "$E2E_MEMBER" "$E2E_OTHER"; do
        home=$d/home/$u
        if getent passwd "$u" >/dev/null; then
            # Left by a run that was killed: these names belong to the harness.
            if [ "$(getent passwd "$u" | cut -d: -f6)" != "$home" ]; then
                usermod --home "$home" "$u" || return 1
            fi
        else
            useradd --system --user-group --no-create-home --home-dir "$home" \
                --shell /usr/sbin/nologin "$u" || return 1
        fi
        mkdir -p "$home" && chown "$u:" "$home" && chmod 0700 "$home" || return 1
    done
    if ! id -nG "$E2E_MEMBER" | tr ' ' '\n' | grep -qx "$E2E_GROUP"; then
        usermod -a -G "$E2E_GROUP" "$E2E_MEMBER" || return 1
    fi
    if id -nG "$E2E_OTHER" | tr ' ' '\n' | grep -qx "$E2E_GROUP"; then
        gpasswd -d "$E2E_OTHER" "$E2E_GROUP" >/dev/null || return 1
    fi
}

# e2e_add_admin PASSWORD: $E2E_ADMIN, a member of sudo (whom Debian's polkit
# asks for an administrator password) with that password. Removed by
# e2e_remove_users with the other test users.
e2e_add_admin() {
    _e2e_need_root || return 1
    _e2e_lock || return 1
    getent group sudo >/dev/null || groupadd --system sudo || return 1
    if ! getent passwd "$E2E_ADMIN" >/dev/null; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
            --groups sudo "$E2E_ADMIN" || return 1
    fi
    printf '%s:%s\n' "$E2E_ADMIN" "$1" | chpasswd || return 1
}

e2e_remove_users() {
    local u pid
    for u in "$E2E_MEMBER" "$E2E_OTHER" "$E2E_ADMIN"; do
        getent passwd "$u" >/dev/null || continue
        # userdel refuses while the user runs processes; only test users own these.
        for pid in $(ps -o pid= -u "$u" 2>/dev/null); do _e2e_kill "$pid"; done
        userdel "$u" || _e2e_log "userdel $u failed"
    done
    if [ -n "${ORCA_E2E_DIR:-}" ] && [ -f "$ORCA_E2E_DIR/group-created" ]; then
        if getent group "$E2E_GROUP" >/dev/null; then groupdel "$E2E_GROUP" || _e2e_log "groupdel $E2E_GROUP failed"; fi
        rm -f "$ORCA_E2E_DIR/group-created"
    fi
    if [ -n "${ORCA_E2E_DIR:-}" ]; then rm -rf "${ORCA_E2E_DIR:?}/home"; fi
    return 0
}

# E2E_AS=(setpriv … env …): the argv prefix e2e_as uses. Use it directly to
# background a user's process and get its pid:
#   e2e_as_argv orcae2e-member; "${E2E_AS[@]}" sleep 30 & pid=$!
# (`e2e_as U cmd &` would give the pid of a root subshell, not the user's process.)
e2e_as_argv() {  # e2e_as_argv USER
    local u=${1:-} uid gid home v
    uid=$(id -u "$u" 2>/dev/null) && gid=$(id -g "$u") || _e2e_fail "no such user '$u'" || return 1
    home=${ORCA_E2E_DIR:-/nonexistent}/home/$u
    [ -d "$home" ] || home=$(getent passwd "$u" | cut -d: -f6)
    # --init-groups keeps supplementary groups (orca-ca); --reset-env drops root's env.
    E2E_AS=(setpriv --reuid="$uid" --regid="$gid" --init-groups --reset-env --
            env HOME="$home" PATH="$ORCA_E2E_USER_PATH")
    if [ -n "${DBUS_SYSTEM_BUS_ADDRESS:-}" ]; then
        E2E_AS+=(DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS")
    fi
    for v in $ORCA_E2E_PASS_ENV; do
        if [ -n "${!v+x}" ]; then E2E_AS+=("$v=${!v}"); fi
    done
}

e2e_as() {  # e2e_as USER CMD...
    local u=${1:-}
    shift || true
    [ $# -gt 0 ] || _e2e_fail "usage: e2e_as USER CMD..." || return 1
    e2e_as_argv "$u" || return 1
    "${E2E_AS[@]}" "$@"
}

# ---------------------------------------------------------------- all

e2e_dump_logs() {  # e2e_dump_logs [LINES]
    local n=${1:-60} f
    [ -n "${ORCA_E2E_DIR:-}" ] && [ -d "$ORCA_E2E_DIR" ] || return 0
    for f in "$ORCA_E2E_DIR"/*.log; do
        [ -f "$f" ] || continue
        echo "----- $f (last $n lines) -----"
        tail -n "$n" "$f"
    done
    return 0
}

# Stop and undo everything, in reverse order; never fails, safe to repeat.
# Entered with a non-zero $? (an EXIT trap of a failing script) it first dumps
# the logs to stderr. Removes ORCA_E2E_DIR if lib.sh made it, unless ORCA_E2E_KEEP=1.
e2e_stop_all() {
    local rc=$?
    local -
    set +e
    [ -n "${ORCA_E2E_DIR:-}" ] || return 0
    if [ "$rc" -ne 0 ] && [ -d "$ORCA_E2E_DIR" ]; then e2e_dump_logs >&2; fi
    e2e_stop_service
    e2e_stop_polkit
    e2e_stop_bus
    # Host-wide undo only when this run took the lock, or nobody holds it (crash
    # recovery); never while another run works with the same files and users.
    local owner opid
    { read -r owner; read -r opid; } 2>/dev/null < "$E2E_LOCK/owner" || owner=
    if [ ! -e "$E2E_LOCK" ] || [ "$owner" = "$ORCA_E2E_DIR" ] || _e2e_lock_stale "$owner" "${opid:-}"; then
        if [ "$(id -u)" = 0 ]; then
            e2e_remove_polkit
            e2e_remove_users
        fi
        _e2e_unlock
    fi
    if [ -f "$ORCA_E2E_DIR/.made-by-harness" ] && [ -z "${ORCA_E2E_KEEP:-}" ]; then
        rm -rf "$ORCA_E2E_DIR"
    elif [ -d "$ORCA_E2E_DIR" ] && [ "$rc" -ne 0 ]; then
        _e2e_log "kept $ORCA_E2E_DIR"
    fi
    return 0
}

# ---------------------------------------------------------------- setup

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    # Executed: act on an existing run directory only.
    set -uo pipefail
    [ -n "${ORCA_E2E_DIR:-}" ] || { echo "usage: ORCA_E2E_DIR=DIR $0 stop-all|dump-logs" >&2; exit 2; }
    case ${1:-} in
        stop-all) e2e_stop_all ;;
        dump-logs) e2e_dump_logs "${2:-60}" ;;
        *) echo "usage: ORCA_E2E_DIR=DIR $0 stop-all|dump-logs" >&2; exit 2 ;;
    esac
    exit 0
fi

if [ -z "${ORCA_E2E_DIR:-}" ]; then
    ORCA_E2E_DIR=$(mktemp -d /tmp/orca-e2e.XXXXXXXX)
    : > "$ORCA_E2E_DIR/.made-by-harness"
fi
chmod 0755 "$ORCA_E2E_DIR" 2>/dev/null || true   # mktemp -d gives 0700; users need to reach the socket
export ORCA_E2E_DIR
# A run directory shared between invocations: point this one at its bus too.
if [ -S "$ORCA_E2E_DIR/system_bus_socket" ]; then
    export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$ORCA_E2E_DIR/system_bus_socket"
fi
