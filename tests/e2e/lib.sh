# shellcheck shell=bash
# End-to-end test helpers: run the real orca-cad and orca-cactl on the
# private bus of tests/harness, as root and as the two test users, and
# record every check in a results table.

E2E_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../harness/lib.sh
. "$E2E_TOP/tests/harness/lib.sh"

MEMBER=${E2E_MEMBER:-orcae2e-member}
OTHER=${E2E_OTHER:-orcae2e-other}
PY=/usr/bin/python3   # Debian's python, which has python3-dbus
OBJ="jp.or.med.orca.CaTool1 /jp/or/med/orca/CaTool1 jp.or.med.orca.CaTool1"

CHECKS=0
FAILED=0
CASE=""
declare -a FAILURES=()
# Cases in the order they ran (a suite may open several per function).
declare -a CASE_ORDER=()
declare -A CASE_CHECKS=() CASE_FAILED=()

# ------------------------------------------------------------------ checks
pass() { CHECKS=$((CHECKS + 1)); CASE_CHECKS[$CASE]=$((${CASE_CHECKS[$CASE]:-0} + 1)); printf '  ok   %s\n' "$1"; }
fail() {
    CHECKS=$((CHECKS + 1)); FAILED=$((FAILED + 1))
    CASE_CHECKS[$CASE]=$((${CASE_CHECKS[$CASE]:-0} + 1)); CASE_FAILED[$CASE]=$((${CASE_FAILED[$CASE]:-0} + 1))
    FAILURES+=("$CASE: $1")
    printf '  FAIL %s\n' "$1"
    [ -n "${2:-}" ] && printf '       %s\n' "$2"
    return 0
}
# check NAME WANT GOT
check() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "want [$2] got [$3]"; fi; }
# check_cmd NAME CMD... : passes when CMD succeeds
check_cmd() { local n=$1; shift; local out; if out=$("$@" 2>&1); then pass "$n"; else fail "$n" "$(printf '%s' "$out" | tail -3 | tr '\n' ' ')"; fi; }
# check_not NAME CMD... : passes when CMD fails
check_not() { local n=$1; shift; if "$@" >/dev/null 2>&1; then fail "$n" "command succeeded: $*"; else pass "$n"; fi; }
# check_match NAME REGEX TEXT
# A here-string, not a pipe: grep -q stops at the first match and printf would
# die of SIGPIPE on a long text, which pipefail reports as "no match".
check_match() { if grep -Eq -- "$2" <<<"$3"; then pass "$1"; else fail "$1" "no /$2/ in: $(printf '%s' "$3" | head -c 300 | tr '\n' ' ')"; fi; }

# ------------------------------------------------------------------ binaries
# Copied where the test users can execute them, whatever the checkout's modes.
e2e_install_binaries() {
    BIN=$ORCA_E2E_DIR/bin
    mkdir -p "$BIN"
    cp "$E2E_TOP/target/debug/orca-cad" "$E2E_TOP/target/debug/orca-cactl" "$BIN/"
    ln -sf orca-cactl "$BIN/orca-catool"
    cp "$E2E_TOP/tests/e2e/rawcall.py" "$E2E_TOP/tests/e2e/notify_ready.py" \
        "$E2E_TOP/tests/e2e/pty_answer.py" "$BIN/"
    chmod 0755 "$BIN" "$BIN"/*
}

# ------------------------------------------------------------------ daemon
# start_cad DIR [ARGS...]: orca-cad as root with state in DIR/state, its log
# in DIR/cad.log; waits until it owns the name.
start_cad() {
    local dir=$1; shift
    mkdir -p "$dir"
    CAD_LOG=$dir/cad.log
    "$BIN/orca-cad" --config "$dir/orca-cad.toml" --state-dir "$dir/state" \
        --weborca-dir "$dir/weborca" --idle-timeout 0 "$@" >>"$CAD_LOG" 2>&1 &
    CAD_PID=$!
    local i
    for i in $(seq 100); do
        if busctl --system status jp.or.med.orca.CaTool1 >/dev/null 2>&1; then return 0; fi
        kill -0 "$CAD_PID" 2>/dev/null || { echo "orca-cad exited: $(tail -5 "$CAD_LOG")"; return 1; }
        sleep 0.1
    done
    echo "orca-cad did not take its name"; return 1
}

# stop_cad: SIGTERM, then wait; the exit status goes to CAD_RC. Not for
# "$(stop_cad)": a subshell cannot wait for its parent's child.
stop_cad() {
    CAD_RC=""
    [ -n "${CAD_PID:-}" ] || return 0
    kill -TERM "$CAD_PID" 2>/dev/null || true
    CAD_RC=0
    wait "$CAD_PID" || CAD_RC=$?
    CAD_PID=""
}

# new_case NAME [CONFIG_TOML]: a fresh directory with the config file.
new_case() {
    CASE=$1
    CASE_ORDER+=("$1")
    CASE_DIR=$ORCA_E2E_DIR/cases/$1
    rm -rf "$CASE_DIR"; mkdir -p "$CASE_DIR"
    printf '%s\n' "${2:-}" > "$CASE_DIR/orca-cad.toml"
    # Fresh bundle directories for the users of this case.
    local u
    for u in "$MEMBER" "$OTHER"; do
        rm -rf "$ORCA_E2E_DIR/home/$u/certs" "$ORCA_E2E_DIR/home/$u/out"
    done
    printf '\n== %s\n' "$1"
}

# on_tty USER PROMPT ANSWER ARGS...: orca-cactl ARGS as USER on a new
# terminal, as at an SSH login; ANSWER is typed at PROMPT. Sets TTY_OUT (the
# terminal's transcript) and TTY_RC. It runs in a mount namespace where the
# private bus is at the stock system bus path: polkit-agent-helper-1, which
# checks the password for pkttyagent, is setuid and so ignores
# DBUS_SYSTEM_BUS_ADDRESS.
on_tty() {
    local user=$1 prompt=$2 answer=$3; shift 3
    e2e_as_argv "$user" || return 1
    local sock=${DBUS_SYSTEM_BUS_ADDRESS#unix:path=}
    # shellcheck disable=SC2016
    TTY_OUT=$(unshare --mount --propagation private bash -c '
        sock=$1; shift
        mkdir -p /run/dbus && mount -t tmpfs -o mode=0755 tmpfs /run/dbus \
            && touch /run/dbus/system_bus_socket \
            && mount --bind "$sock" /run/dbus/system_bus_socket && exec "$@"' \
        on_tty "$sock" "$PY" "$BIN/pty_answer.py" 60 "$prompt" "$answer" \
        "${E2E_AS[@]}" "$BIN/orca-cactl" "$@" 2>&1)
    TTY_RC=$(printf '%s\n' "$TTY_OUT" | awk '/^EXIT /{rc=$2} /^(TIMEOUT|PROMPT-NOT-SEEN)$/{rc="timeout"} END{print rc}')
}

home_of() { if [ "$1" = root ]; then echo "$ORCA_E2E_DIR/home/root"; else echo "$ORCA_E2E_DIR/home/$1"; fi; }

# ctl USER ARGS...: runs orca-cactl; sets OUT, ERR, RC.
ctl() {
    local user=$1; shift
    local o e
    o=$(mktemp); e=$(mktemp)
    RC=0
    if [ "$user" = root ]; then
        mkdir -p "$ORCA_E2E_DIR/home/root"
        HOME=$ORCA_E2E_DIR/home/root "$BIN/orca-cactl" "$@" >"$o" 2>"$e" </dev/null || RC=$?
    else
        e2e_as "$user" "$BIN/orca-cactl" "$@" >"$o" 2>"$e" </dev/null || RC=$?
    fi
    OUT=$(cat "$o"); ERR=$(cat "$e"); rm -f "$o" "$e"
}

# legacy USER ARGS...: the same binary as orca-catool (argv[0]).
legacy() {
    local user=$1; shift
    local o e
    o=$(mktemp); e=$(mktemp)
    RC=0
    if [ "$user" = root ]; then
        HOME=$ORCA_E2E_DIR/home/root "$BIN/orca-catool" "$@" >"$o" 2>"$e" </dev/null || RC=$?
    else
        e2e_as "$user" "$BIN/orca-catool" "$@" >"$o" 2>"$e" </dev/null || RC=$?
    fi
    OUT=$(cat "$o"); ERR=$(cat "$e"); rm -f "$o" "$e"
}

# raw USER [--interactive] [--fd …] METHOD SIG JSON: one raw call; sets RAW.
raw() {
    local user=$1; shift
    if [ "$user" = root ]; then
        RAW=$("$PY" "$BIN/rawcall.py" "$@" 2>&1)
    else
        RAW=$(e2e_as "$user" "$PY" "$BIN/rawcall.py" "$@" 2>&1)
    fi
}

# The D-Bus error name in RAW, or OK.
raw_result() { printf '%s' "$RAW" | awk '{print ($1 == "OK") ? "OK" : $2; exit}'; }

daemon_alive() { kill -0 "$CAD_PID" 2>/dev/null && busctl --system call $OBJ GetStatus >/dev/null 2>&1; }

json() { jq -r "$1" <<<"$OUT"; }

# A digest of everything an operation could change: index rows, counters,
# the CRL and the files in the state directory.
state_digest() {
    local dir=$1
    {
        sqlite3 "file:$dir/state/index.sqlite?mode=ro" \
            "SELECT issue_number, serial, status, revoked_at FROM certificates ORDER BY 1; SELECT * FROM counters ORDER BY 1; SELECT crl_number FROM crl;" 2>&1
        ls -l --time-style=+ "$dir/state" | awk '{print $1, $5, $NF}'
        sha256sum "$dir/state/crl.der" 2>/dev/null
    } | sha256sum | cut -c1-16
}

# The results table: checks run, passed and failed per case (CI reads it).
summary_table() {
    printf '\n%-28s %7s %7s %7s\n' "case" "checks" "passed" "failed"
    local c n f
    for c in "${CASE_ORDER[@]}"; do
        n=${CASE_CHECKS[$c]:-0}; f=${CASE_FAILED[$c]:-0}
        printf '%-28s %7s %7s %7s\n' "$c" "$n" $((n - f)) "$f"
    done
    printf '%-28s %7s %7s %7s\n' "total" "$CHECKS" $((CHECKS - FAILED)) "$FAILED"
    if [ "$FAILED" -gt 0 ]; then
        printf '\nfailures:\n'; printf '  %s\n' "${FAILURES[@]}"
    fi
}

summary() {
    printf '\n%-28s %7s %7s\n' "case" "checks" "failed"
    local c
    for c in "${CASES_RUN[@]}"; do
        printf '%-28s %7s %7s\n' "$c" "${CASE_CHECKS[$c]:-0}" "${CASE_FAILED[$c]:-0}"
    done
    printf '%-28s %7s %7s\n' "total" "$CHECKS" "$FAILED"
    if [ "$FAILED" -gt 0 ]; then
        printf '\nfailures:\n'; printf '  %s\n' "${FAILURES[@]}"
    fi
}
