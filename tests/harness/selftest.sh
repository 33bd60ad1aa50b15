#!/bin/bash
# Proves the harness and the shipped bus/polkit files on this machine without
# any project binary: private bus, real polkitd, the project's policy + rules,
# two test users. Exit status 0 only if every check matches. Run as root:
#   tests/harness/selftest.sh            (ORCA_E2E_KEEP=1 keeps the run directory)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
trap e2e_stop_all EXIT
trap 'exit 130' INT          # exit (not die) so the EXIT trap cleans up
trap 'exit 143' TERM

[ "$(id -u)" = 0 ] || { echo "selftest: run as root" >&2; exit 2; }

P=jp.or.med.orca.catool
ACTIONS=(read issue revoke crl export install initialize)
FAILED=0
TOTAL=0

# check NAME EXPECTED GOT: one row of the table.
check() {
    local res=ok
    TOTAL=$(( TOTAL + 1 ))
    if [ "$2" != "$3" ]; then res=FAIL; FAILED=$(( FAILED + 1 )); fi
    printf '%-4s %-54s %-36s %s\n' "$res" "$1" "$2" "$3"
}
section() { printf '\n-- %s\n' "$*"; }

# Outcome of a D-Bus call made by dbus-send: "ok" or the error name.
outcome() {  # outcome CMD...
    local out
    if out=$("$@" 2>&1); then echo ok; return; fi
    out=$(grep -o -m1 -E '[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)+\.Error\.[A-Za-z0-9_]+' <<<"$out" || true)
    echo "${out:-failed}"
}
pkcheck_as() {  # pkcheck_as USER ACTION -> authorized | denied | challenge | rc=N
    local rc=0
    # shellcheck disable=SC2016  # $$ is the user's shell, which becomes pkcheck
    e2e_as "$1" sh -c 'exec pkcheck --action-id "$1" --process $$' sh "$2" >/dev/null 2>&1 || rc=$?
    case $rc in 0) echo authorized ;; 1) echo denied ;; 2) echo challenge ;; *) echo "rc=$rc" ;; esac
}

printf '%-4s %-54s %-36s %s\n' "" CHECK EXPECTED GOT

# ------------------------------------------------------------ static checks
section "files in systemd/"
POLICY=$E2E_POLKIT_POLICY RULES=$E2E_POLKIT_RULES
PKLA=$E2E_REPO_DIR/systemd/polkit/50-jp.or.med.orca.catool.pkla
if ! command -v xmllint >/dev/null; then
    echo "     (xmllint missing: apt-get install -y libxml2-utils; XML checks skipped)"
else
    check "xmllint ${POLICY##*/}" valid \
        "$(xmllint --noout "$POLICY" 2>&1 && echo valid || echo invalid)"
    if [ -f /usr/share/polkit-1/policyconfig-1.dtd ]; then
        check "xmllint --dtdvalid policyconfig-1.dtd" valid "$(xmllint --noout \
            --dtdvalid /usr/share/polkit-1/policyconfig-1.dtd "$POLICY" 2>&1 && echo valid || echo invalid)"
    fi
    check "xmllint ${E2E_DBUS_CONF##*/}" valid \
        "$(xmllint --noout "$E2E_DBUS_CONF" 2>&1 && echo valid || echo invalid)"
    ids=$(xmllint --xpath '//action/@id' "$POLICY" | grep -o '"[^"]*"' | tr -d '"' | sed "s/^$P\.//" | sort | xargs)
    check "policy action ids ($P.*)" "$(printf '%s\n' "${ACTIONS[@]}" | sort | xargs)" "$ids"
    check "policy: every action has ja description+message" 14 \
        "$(xmllint --xpath 'count(//action/description[@xml:lang="ja"] | //action/message[@xml:lang="ja"])' "$POLICY")"
    check "policy vendor" orca-catool-rs "$(xmllint --xpath 'string(//vendor)' "$POLICY")"
fi
# pkla = the rules file's grant for polkit 0.105: every action but initialize.
check "pkla Identity" unix-group:orca-ca "$(sed -n 's/^Identity=//p' "$PKLA")"
check "pkla Action ($P.*, all but initialize)" \
    "$(printf '%s\n' "${ACTIONS[@]}" | grep -vx initialize | sort | xargs)" \
    "$(sed -n 's/^Action=//p' "$PKLA" | tr ';' '\n' | sed "s/^$P\.//" | sort | xargs)"
check "pkla ResultAny/Inactive/Active" yes/yes/yes \
    "$(sed -n 's/^ResultAny=//p' "$PKLA")/$(sed -n 's/^ResultInactive=//p' "$PKLA")/$(sed -n 's/^ResultActive=//p' "$PKLA")"
check "rules: no let/const/arrow (Duktape ES5)" none \
    "$(grep -v '^[[:space:]]*//' "$RULES" | grep -E -o '\<(let|const)\>|=>' | head -1 || echo none)"
svc=$E2E_DBUS_ACTIVATION
check "activation file name = Name=.service" "$(sed -n 's/^Name=//p' "$svc").service" "${svc##*/}"
check "activation Exec/User/SystemdService" "/usr/sbin/orca-cad root orca-cad.service" \
    "$(sed -n 's/^Exec=//p' "$svc") $(sed -n 's/^User=//p' "$svc") $(sed -n 's/^SystemdService=//p' "$svc")"

# ------------------------------------------------------------ bring up
section "bring up (bus, polkit files, polkitd, users)"
# What the polkit destinations hold now (absent, or someone else's file to restore).
state_of() { if [ -e "$1" ]; then sha256sum < "$1" | cut -c1-12; else echo absent; fi; }
POLICY_DEST=$E2E_POLKIT_ACTIONS_DIR/${POLICY##*/} RULES_DEST=$E2E_POLKIT_RULES_DIR/${RULES##*/}
_e2e_lock   # (re-entrant) so a concurrent harness run cannot change what we record here
policy_before=$(state_of "$POLICY_DEST") rules_before=$(state_of "$RULES_DEST")
e2e_start_bus
e2e_install_polkit
e2e_start_polkit
e2e_setup_users
check "private bus answers" yes "$(_e2e_bus_answers && echo yes || echo no)"
check "installed policy = repo file + marker" same \
    "$(head -n -1 "$POLICY_DEST" | cmp -s - "$POLICY" && echo same || echo differs)"
check "installed rules = repo file + marker" same \
    "$(head -n -1 "$RULES_DEST" | cmp -s - "$RULES" && echo same || echo differs)"
check "installed rules mode/owner" "644 root:root" "$(stat -c '%a %U:%G' "$RULES_DEST")"
check "$E2E_MEMBER in $E2E_GROUP" yes \
    "$(id -nG "$E2E_MEMBER" | tr ' ' '\n' | grep -qx "$E2E_GROUP" && echo yes || echo no)"
check "$E2E_OTHER in $E2E_GROUP" no \
    "$(id -nG "$E2E_OTHER" | tr ' ' '\n' | grep -qx "$E2E_GROUP" && echo yes || echo no)"
check "home of $E2E_MEMBER" "700 $E2E_MEMBER" "$(stat -c '%a %U' "$ORCA_E2E_DIR/home/$E2E_MEMBER")"
want="$(id -u "$E2E_MEMBER") $ORCA_E2E_DIR/home/$E2E_MEMBER $DBUS_SYSTEM_BUS_ADDRESS"
# shellcheck disable=SC2016  # expanded by the user's shell
got=$(e2e_as "$E2E_MEMBER" sh -c 'echo "$(id -u) $HOME $DBUS_SYSTEM_BUS_ADDRESS"')
check "e2e_as: uid, HOME, bus address" as-expected "$([ "$got" = "$want" ] && echo as-expected || echo "$got")"
check "e2e_as: supplementary group $E2E_GROUP" yes \
    "$(e2e_as "$E2E_MEMBER" id -nG | tr ' ' '\n' | grep -qx "$E2E_GROUP" && echo yes || echo no)"

section "polkitd loaded the rules"
# Rules load at start; a reload after our install would log again. Errors only show here.
errs=$(e2e_polkit_log_errors || true)
check "polkitd.log: no rule/action errors" none "${errs:-none}"
check "polkitd.log: rules loaded" yes \
    "$(grep -aq 'Finished loading, compiling and executing' "$ORCA_E2E_DIR/polkitd.log" && echo yes || echo no)"
for a in "${ACTIONS[@]}"; do
    case $a in
        read) want="auth_admin_keep/auth_admin_keep/yes" ;;
        initialize) want="auth_admin/auth_admin/auth_admin" ;;
        *) want="auth_admin_keep/auth_admin_keep/auth_admin_keep" ;;
    esac
    got=$(pkaction --action-id "$P.$a" --verbose 2>&1 | awk -F': *' '
        /implicit any/ {a=$2} /implicit inactive/ {i=$2} /implicit active/ {c=$2}
        END {print a "/" i "/" c}')
    check "pkaction $a: any/inactive/active" "$want" "$got"
done

# ------------------------------------------------------------ polkit answers
section "pkcheck (subject unix-process, run as the user)"
# No logind session here: subjects are neither local nor active, so allow_any
# and the rules decide. "challenge" = an admin password would be needed.
for a in "${ACTIONS[@]}"; do
    if [ "$a" = initialize ]; then want=challenge; else want=authorized; fi
    check "$E2E_MEMBER $a" "$want" "$(pkcheck_as "$E2E_MEMBER" "$P.$a")"
done
for a in "${ACTIONS[@]}"; do
    # Every action asks for an admin password (SSH sessions count as "any").
    want=challenge
    check "$E2E_OTHER $a" "$want" "$(pkcheck_as "$E2E_OTHER" "$P.$a")"
done
check "root initialize (polkit always allows uid 0)" authorized "$(pkcheck_as root "$P.initialize")"

section "CheckAuthorization as root for a user's bus name (orca-cad's pattern)"
# Long-lived user connections; started directly (not via a function) so $! is the user's process.
declare -A CONN_PID=() CONN_NAME=()
for u in "$E2E_MEMBER" "$E2E_OTHER"; do
    e2e_as_argv "$u"
    "${E2E_AS[@]}" gdbus monitor --system --dest org.freedesktop.DBus </dev/null >/dev/null 2>&1 &
    CONN_PID[$u]=$!
done
name_of_pid() { busctl --system list --unique --no-legend 2>/dev/null | awk -v p="$1" '$2 == p {print $1; exit}'; }
has_connection() { [ -n "$(name_of_pid "$1")" ]; }
for u in "$E2E_MEMBER" "$E2E_OTHER"; do
    _e2e_wait 10 has_connection "${CONN_PID[$u]}" || true
    CONN_NAME[$u]=$(name_of_pid "${CONN_PID[$u]}")
    check "$u has a bus connection" "uid $(id -u "$u")" "uid $(busctl --system call org.freedesktop.DBus \
        /org/freedesktop/DBus org.freedesktop.DBus GetConnectionUnixUser s "${CONN_NAME[$u]:-none}" 2>&1 | awk '{print $2}')"
done
check_bus_name() {  # check_bus_name USER ACTION WANT   (WANT = "authorized challenge")
    local got
    got=$(busctl --system call org.freedesktop.PolicyKit1 /org/freedesktop/PolicyKit1/Authority \
        org.freedesktop.PolicyKit1.Authority CheckAuthorization '(sa{sv})sa{ss}us' \
        system-bus-name 1 name s "${CONN_NAME[$1]:-none}" "$P.$2" 0 0 "" 2>&1 | awk '{print $2, $3}')
    check "bus name of $1: $2 (authorized, challenge)" "$3" "$got"
}
check_bus_name "$E2E_MEMBER" issue "true false"
check_bus_name "$E2E_MEMBER" export "true false"
check_bus_name "$E2E_MEMBER" initialize "false true"
check_bus_name "$E2E_OTHER" issue "false true"
check_bus_name "$E2E_OTHER" read "false true"
for u in "$E2E_MEMBER" "$E2E_OTHER"; do _e2e_kill "${CONN_PID[$u]}"; done

# ------------------------------------------------------------ bus policy
section "bus policy for $E2E_BUS_NAME"
request_name() {  # request_name [USER]
    local cmd=(dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus
               org.freedesktop.DBus.RequestName "string:$E2E_BUS_NAME" uint32:0)
    if [ -n "${1:-}" ]; then outcome e2e_as "$1" "${cmd[@]}"; else outcome "${cmd[@]}"; fi
}
check "$E2E_OTHER owns $E2E_BUS_NAME" org.freedesktop.DBus.Error.AccessDenied "$(request_name "$E2E_OTHER")"
check "$E2E_MEMBER owns $E2E_BUS_NAME" org.freedesktop.DBus.Error.AccessDenied "$(request_name "$E2E_MEMBER")"
check "root owns $E2E_BUS_NAME" ok "$(request_name)"

# A stand-in service, bus-activated from the shipped activation file: it owns the
# name and answers nothing itself, so libdbus replies UnknownMethod to every call
# that the bus lets through (and handles org.freedesktop.DBus.Peer on its own).
cat > "$ORCA_E2E_DIR/standin.py" <<'PY'
import dbus, dbus.service, dbus.mainloop.glib
from gi.repository import GLib
dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
name = dbus.service.BusName("jp.or.med.orca.CaTool1", dbus.SystemBus(), do_not_queue=True)
GLib.MainLoop().run()
PY
chmod 0644 "$ORCA_E2E_DIR/standin.py"
if /usr/bin/python3 -c 'import dbus, gi' 2>/dev/null; then
    e2e_install_activation "/usr/bin/python3 $ORCA_E2E_DIR/standin.py"
    send_as_other() {  # send_as_other INTERFACE.MEMBER
        outcome e2e_as "$E2E_OTHER" dbus-send --system --print-reply --dest="$E2E_BUS_NAME" \
            /jp/or/med/orca/CaTool1 "$1"
    }
    check "$E2E_OTHER Peer.Ping (activates the service)" ok "$(send_as_other org.freedesktop.DBus.Peer.Ping)"
    check "activated service runs as" "uid 0" "uid $(busctl --system call org.freedesktop.DBus \
        /org/freedesktop/DBus org.freedesktop.DBus GetConnectionUnixUser s "$E2E_BUS_NAME" | awk '{print $2}')"
    # Anything but AccessDenied means the bus let the call through.
    delivery() { local o; o=$(send_as_other "$1"); [ "$o" = org.freedesktop.DBus.Error.AccessDenied ] && echo refused || echo delivered; }
    check "$E2E_OTHER -> jp.or.med.orca.CaTool1.Version" delivered "$(delivery jp.or.med.orca.CaTool1.Version)"
    check "$E2E_OTHER -> org.freedesktop.DBus.Properties.GetAll" delivered "$(delivery org.freedesktop.DBus.Properties.GetAll)"
    check "$E2E_OTHER -> org.freedesktop.DBus.Introspectable" delivered "$(delivery org.freedesktop.DBus.Introspectable.Introspect)"
    check "$E2E_OTHER -> com.example.Other.Version" refused "$(delivery com.example.Other.Version)"
    e2e_stop_service
    check "e2e_stop_service releases the name" no "$(_e2e_has_owner "$E2E_BUS_NAME" && echo yes || echo no)"
else
    echo "     (python3-dbus/python3-gi missing: activation and send-policy checks skipped)"
fi

# ------------------------------------------------------------ idempotence, teardown
section "idempotence and teardown"
bus_pid=$(cat "$ORCA_E2E_DIR/dbus.pid") pk_pid=$(cat "$ORCA_E2E_DIR/polkitd.pid")
e2e_start_bus; e2e_install_polkit; e2e_start_polkit; e2e_setup_users
check "second start_* / install / setup: same processes" "$bus_pid $pk_pid" \
    "$(cat "$ORCA_E2E_DIR/dbus.pid") $(cat "$ORCA_E2E_DIR/polkitd.pid")"
check "second install_polkit: one record per file" 2 "$(wc -l < "$ORCA_E2E_DIR/polkit.installed")"

group_was_ours=$([ -f "$ORCA_E2E_DIR/group-created" ] && echo yes || echo no)
run_dir=$ORCA_E2E_DIR
true  # e2e_stop_all dumps logs when entered with a non-zero $?
e2e_stop_all
gone() { if _e2e_running "$1"; then echo running; else echo gone; fi; }
present() { if "$@" >/dev/null 2>&1; then echo present; else echo absent; fi; }
check "dbus-daemon stopped" gone "$(gone "$bus_pid")"
check "polkitd stopped" gone "$(gone "$pk_pid")"
check "host lock released by this run" released \
    "$([ "$(head -n 1 "$E2E_LOCK/owner" 2>/dev/null)" = "$run_dir" ] && echo held || echo released)"
if [ -z "${ORCA_E2E_KEEP:-}" ]; then
    check "run directory removed" absent "$(present test -e "$run_dir")"
fi
check "e2e_stop_all a second time" "rc=0" "rc=$(e2e_stop_all; echo $?)"

# Host-wide state, checked under the lock (as a separate "run") so that a
# concurrent harness run cannot make these checks lie.
ORCA_E2E_DIR=$(mktemp -d /tmp/orca-e2e-check.XXXXXXXX)
: > "$ORCA_E2E_DIR/.made-by-harness"
_e2e_lock
check "policy destination as before" "$policy_before" "$(state_of "$POLICY_DEST")"
check "rules destination as before" "$rules_before" "$(state_of "$RULES_DEST")"
for u in "$E2E_MEMBER" "$E2E_OTHER"; do
    check "user $u and its group removed" "absent absent" \
        "$(present getent passwd "$u") $(present getent group "$u")"
done
if [ "$group_was_ours" = yes ]; then
    check "group $E2E_GROUP (created here) removed" absent "$(present getent group "$E2E_GROUP")"
else
    check "group $E2E_GROUP (pre-existing) kept" present "$(present getent group "$E2E_GROUP")"
fi
_e2e_unlock
rm -rf "$ORCA_E2E_DIR"

echo
echo "selftest: $TOTAL checks, $FAILED failed"
[ "$FAILED" -eq 0 ]
