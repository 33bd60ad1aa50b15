#!/usr/bin/env bash
# Hostile conditions for the real orca-cad: kill -9 at random moments while
# clients issue, revoke and renew the CRL; a full state filesystem; corrupt
# state; bad input; secrets in logs. After each fault the index, the CRL and
# the delivered bundles must agree, and the daemon must work again.
#
# usage: tests/faults/run.sh [CASE...]     (default: every case)
#        KILLS=N ISSUES=N (defaults 60, 200): size of the kill -9 case
set -uo pipefail
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "faults/run.sh: needs root"; exit 2; }
for tool in jq openssl unzip sqlite3 setpriv busctl mount; do
    command -v "$tool" >/dev/null || { echo "faults/run.sh: $tool is missing (tests/install-deps.sh installs it)"; exit 2; }
done
KILLS=${KILLS:-60}
ISSUES=${ISSUES:-200}

# ------------------------------------------------------------------ cases

# kill -9 at random moments while three members issue, one revokes and one
# renews the CRL; consistency checked after every kill, before the restart.
case_kill9() {
    new_case kill9
    start_cad "$CASE_DIR" || { fail "daemon starts"; return; }
    ctl root init --yes --key-type ecdsa-p256
    check "init" 0 "$RC"
    CA_KEY_SUM=$(sha256sum < "$CASE_DIR/state/ca.key")
    LAST_CRL_NUMBER=
    local out=$ORCA_E2E_DIR/home/$MEMBER/kill9 stop=$CASE_DIR/stop
    e2e_as "$MEMBER" mkdir -p "$out"
    rm -f "$stop"
    local pids=() w
    # Issuers: each attempt is counted, successful or not.
    for w in 1 2 3; do
        (
            n=0
            while [ ! -e "$stop" ]; do
                n=$((n + 1))
                echo x >> "$CASE_DIR/attempts"
                e2e_as "$MEMBER" "$BIN/orca-cactl" --no-ask-password issue-client-cert -c "k$w-$n" --out "$out" \
                    >/dev/null 2>>"$CASE_DIR/issuer-errors.log" </dev/null || sleep 0.05
            done
        ) &
        pids+=($!)
    done
    # Revoker: revokes delivered bundles, newest first.
    (
        while [ ! -e "$stop" ]; do
            z=$(find "$out" -name '*.zip' -printf '%f\n' 2>/dev/null | sort -r | head -1)
            if [ -n "$z" ]; then
                e2e_as "$MEMBER" "$BIN/orca-cactl" --no-ask-password revoke "${z:0:6}" --reason superseded \
                    >/dev/null 2>&1 </dev/null
            fi
            sleep 0.1
        done
    ) &
    pids+=($!)
    # CRL: forced renewals and fresh CRLs.
    (
        while [ ! -e "$stop" ]; do
            e2e_as "$MEMBER" "$BIN/orca-cactl" --no-ask-password crl renew >/dev/null 2>&1 </dev/null
            e2e_as "$MEMBER" "$BIN/orca-cactl" --no-ask-password issue-crl >/dev/null 2>&1 </dev/null
        done
    ) &
    pids+=($!)

    # Until KILLS kills and ISSUES issues that reached the daemon: committed,
    # or cut off by a kill while in flight (bounded by 4×KILLS kills).
    local k=0 problems rows=0 reached=0
    while { [ "$k" -lt "$KILLS" ] || [ "$reached" -lt "$ISSUES" ]; } && [ "$k" -lt $((KILLS * 4)) ]; do
        k=$((k + 1))
        # 0–999 ms after the (re)start: during start-up, mid-call, between calls.
        sleep "0.$(printf '%03d' $((RANDOM % 1000)))"
        KILLS_TRIED=$((KILLS_TRIED + 1))
        kill -9 "$CAD_PID"; wait "$CAD_PID" 2>/dev/null; CAD_PID=""
        problems=$(consistency_problems "$CASE_DIR" "$out")
        if ! start_cad "$CASE_DIR" >>"$CASE_DIR/restarts.log"; then
            fail "restart after kill $k" "$(tail -3 "$CAD_LOG")"; break
        fi
        crl_files_match_index "$CASE_DIR" || problems+=$'\n'"published CRL differs from the index after restart"
        if [ -n "$problems" ]; then fail "consistent after kill $k" "$problems"; break; fi
        KILLS_SURVIVED=$((KILLS_SURVIVED + 1))
        rows=$(q "$CASE_DIR" "SELECT count(*) FROM certificates WHERE kind = 'client';")
        reached=$((rows + $(grep -c 'did not answer' "$CASE_DIR/issuer-errors.log")))
    done
    touch "$stop"
    wait "${pids[@]}"
    rows=$(q "$CASE_DIR" "SELECT count(*) FROM certificates WHERE kind = 'client';")
    reached=$((rows + $(grep -c 'did not answer' "$CASE_DIR/issuer-errors.log")))
    ISSUES_UNDER_FIRE=$((ISSUES_UNDER_FIRE + reached))
    check "every kill -9 survived, state consistent after each" "$KILLS_TRIED" "$KILLS_SURVIVED"
    check_cmd "at least $ISSUES issues reached the daemon under fire ($rows committed, $((reached - rows)) cut off by a kill; $(wc -l < "$CASE_DIR/attempts") attempts in all)" \
        test "$reached" -ge "$ISSUES"
    check "final state consistent" "" "$(consistency_problems "$CASE_DIR" "$out")"
    local zips
    zips=$(find "$out" -name '*.zip' | wc -l)
    check_cmd "some issues completed between kills ($zips bundles, $rows rows)" test "$zips" -gt 0
    check_cmd "no more bundles than rows (a kill after the commit leaves a row to export)" test "$zips" -le "$rows"
    check "no temporary bundle file left behind by orca-cactl" "" "$(find "$out" -type f ! -name '*.zip')"
    check_cmd "the clients were told the daemon went away" grep -q "did not answer" "$CASE_DIR/issuer-errors.log"
    # Every committed row can still be delivered: export one that has no zip.
    local orphan
    orphan=$(comm -23 <(q "$CASE_DIR" "SELECT printf('%06d', issue_number) FROM certificates WHERE kind = 'client' ORDER BY 1;") \
        <(find "$out" -name '*.zip' -printf '%f\n' | cut -c1-6 | sort) | head -1)
    if [ -n "$orphan" ]; then
        ctl "$MEMBER" export "$orphan" --out "$ORCA_E2E_DIR/home/$MEMBER/exported"
        check "a row whose bundle was lost in a kill exports its bundle ($orphan)" 0 "$RC"
        check_cmd "…complete" unzip -tq "$(ls "$ORCA_E2E_DIR/home/$MEMBER/exported/$orphan"__*.zip)"
    fi
    ctl "$MEMBER" issue-client-cert -c after-kills --out "$out"
    check "issuing works after the kills" 0 "$RC"
    local before_crl
    before_crl=$(q "$CASE_DIR" "SELECT crl_number FROM crl;")
    ctl "$MEMBER" revoke "$(q "$CASE_DIR" "SELECT max(issue_number) FROM certificates;")" --reason keyCompromise
    check "revoking works after the kills" 0 "$RC"
    check_cmd "…and the CRL number grew" test "$(q "$CASE_DIR" "SELECT crl_number FROM crl;")" -gt "$before_crl"
    check_cmd "the published CRL verifies against the CA" \
        openssl crl -inform DER -in "$CASE_DIR/state/crl.der" -CAfile "$CASE_DIR/state/ca.crt" -noout
    stop_cad; check "daemon exits 0" 0 "$CAD_RC"
}

# The state directory on a 4 MB tmpfs, filled up: issuing fails with a clear
# error and leaves nothing half-written, reads still work, and everything
# works again once there is space.
case_full_disk() {
    new_case full_disk
    local fs=$CASE_DIR/fs
    # The state directory itself is the mount (orca-cad refuses a symlink).
    fs=$CASE_DIR/state
    mkdir -p "$fs"
    mount -t tmpfs -o size=4m,mode=0700 orca-faults "$fs" || { fail "tmpfs mounted"; return; }
    FULL_DISK_MOUNT=$fs
    start_cad "$CASE_DIR" || { fail "daemon starts on the tmpfs"; return; }
    ctl root init --yes --key-type ecdsa-p256
    check "init on a 4 MB filesystem" 0 "$RC"
    local out=$ORCA_E2E_DIR/home/$MEMBER/full
    ctl "$MEMBER" issue-client-cert -c before-full --out "$out"
    check "issue while there is space" 0 "$RC"
    CA_KEY_SUM=$(sha256sum < "$fs/ca.key"); LAST_CRL_NUMBER=
    # Fill the filesystem to the last block.
    dd if=/dev/zero of="$fs/filler" bs=4k status=none 2>/dev/null
    check "filesystem is full" 0 "$(df --output=avail -k "$fs" | tail -1 | tr -d ' ')"
    local before
    before=$(db_digest "$CASE_DIR")
    ctl "$MEMBER" issue-client-cert -c when-full --out "$out"
    echo "       orca-cactl said: $ERR"
    check_cmd "issue on a full disk fails (exit $RC)" test "$RC" -ne 0
    check_match "…with a message that says the disk is full" "[Nn]o space|disk (is )?full|full" "$ERR"
    check "…no bundle for it" "" "$(find "$out" -name '*when-full*')"
    check "…no temporary file left" "" "$(find "$out" -type f ! -name '*.zip')"
    ctl "$MEMBER" issue-server-cert -c full.example --out "$out"
    check_cmd "server issue on a full disk fails too" test "$RC" -ne 0
    check "index, counters, CRL unchanged by the failed issues" "$before" "$(db_digest "$CASE_DIR")"
    check "state consistent while full" "" "$(consistency_problems "$CASE_DIR" "$out")"
    ctl "$MEMBER" --json list
    check "list works while full" 0 "$RC"
    check "…and shows CA + 1" 2 "$(json 'length' 2>/dev/null)"
    ctl "$MEMBER" --json show 2
    check "show works while full" before-full "$(json .common_name 2>/dev/null)"
    ctl "$MEMBER" export 2 --out "$ORCA_E2E_DIR/home/$MEMBER/full-export"
    check "export works while full (the bundle goes to another filesystem)" 0 "$RC"
    ctl "$MEMBER" ca-cert
    check "ca-cert works while full" 0 "$RC"
    ctl "$MEMBER" revoke 2 --reason superseded
    if [ "$RC" = 0 ]; then
        pass "revoke on a full disk: succeeded (small write fit)"
        check "…and the index says revoked" revoked "$(q "$CASE_DIR" "SELECT status FROM certificates WHERE issue_number = 2;")"
    else
        echo "       orca-cactl said: $ERR"
        check_match "revoke on a full disk fails with a clear message" "[Nn]o space|full" "$ERR"
        check "…and 000002 is still valid in the index" valid "$(q "$CASE_DIR" "SELECT status FROM certificates WHERE issue_number = 2;")"
    fi
    check "state consistent after the revoke attempt" "" "$(consistency_problems "$CASE_DIR" "$out")"
    if daemon_alive; then pass "daemon still serving on a full disk"; else fail "daemon still serving on a full disk"; fi
    rm -f "$fs/filler"
    ctl "$MEMBER" issue-client-cert -c after-space --out "$out"
    check "issue works once space is back" 0 "$RC"
    check_cmd "…its bundle is complete" unzip -tq "$(ls "$out"/*__JP_orca_after-space.zip 2>/dev/null)"
    ctl "$MEMBER" revoke "$(q "$CASE_DIR" "SELECT max(issue_number) FROM certificates;")"
    check "revoke works once space is back" 0 "$RC"
    check "state consistent at the end" "" "$(consistency_problems "$CASE_DIR" "$out")"
    stop_cad; check "daemon exits 0" 0 "$CAD_RC"
    umount "$fs" && FULL_DISK_MOUNT=
}

# The user's output directory full: the bundle cannot be written, no partial
# zip stays, and the committed certificate can be exported later.
case_full_output() {
    new_case full_output
    start_cad "$CASE_DIR" || { fail "daemon starts"; return; }
    ctl root init --yes --key-type ecdsa-p256
    local out=$CASE_DIR/out
    mkdir -p "$out"
    mount -t tmpfs -o size=64k,mode=0777 orca-faults "$out" || { fail "tmpfs mounted"; return; }
    FULL_DISK_MOUNT=$out
    dd if=/dev/zero of="$out/filler" bs=4k status=none 2>/dev/null
    ctl root issue-client-cert -c no-room --out "$out"
    check_cmd "issue into a full output directory fails (exit $RC)" test "$RC" -ne 0
    check_match "…saying so" "[Nn]o space|full" "$ERR"
    check "…no partial zip or temporary file" "" "$(find "$out" -type f ! -name filler)"
    umount "$out" && FULL_DISK_MOUNT=
    local n
    n=$(q "$CASE_DIR" "SELECT issue_number FROM certificates WHERE common_name = 'no-room';")
    if [ -n "$n" ]; then
        ctl root export "$n" --out "$CASE_DIR/exported"
        check "the committed certificate exports once there is room" 0 "$RC"
    else
        pass "nothing committed for the undelivered bundle"
    fi
    check "state consistent" "" "$(CA_KEY_SUM=$(sha256sum < "$CASE_DIR/state/ca.key"); consistency_problems "$CASE_DIR" "$CASE_DIR/exported")"
    stop_cad; check "daemon exits 0" 0 "$CAD_RC"
}

# ------------------------------------------------------------------ main
ALL_CASES=(kill9 full_disk full_output)
CASES_RUN=("${@:-${ALL_CASES[@]}}")

FULL_DISK_MOUNT=
trap '[ -n "$FULL_DISK_MOUNT" ] && umount -l "$FULL_DISK_MOUNT"; e2e_stop_all' EXIT
e2e_start_bus && e2e_install_polkit && e2e_start_polkit && e2e_setup_users \
    || { echo "harness did not come up"; e2e_dump_logs; exit 1; }
e2e_install_binaries
SECONDS=0
for c in "${CASES_RUN[@]}"; do
    t0=$SECONDS
    "case_$c"
    [ -n "${CAD_PID:-}" ] && stop_cad >/dev/null
    printf '  (%s: %ss)\n' "$c" $((SECONDS - t0))
done
summary_faults
[ "$FAILED" -eq 0 ]
