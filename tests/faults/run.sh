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
    local out=$ORCA_E2E_DIR/home/$MEMBER/kill9 stop=$CASE_DIR/stop pause=$CASE_DIR/pause
    e2e_as "$MEMBER" mkdir -p "$out"
    rm -f "$stop" "$pause"
    # Workers hold still while a restarted daemon's files are compared with
    # its index (a CRL call in between would change one before the other).
    hold() { while [ -e "$pause" ]; do sleep 0.05; done; }
    local pids=() w
    # Issuers: each attempt is counted, successful or not.
    for w in 1 2 3; do
        (
            n=0
            while [ ! -e "$stop" ]; do
                hold
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
            hold
            z=$(find "$out" -name '*.zip' -printf '%f\n' 2>/dev/null | sort -r | head -1)
            if [ -n "$z" ]; then
                e2e_as "$MEMBER" "$BIN/orca-cactl" --no-ask-password revoke "${z:0:6}" --reason superseded \
                    >/dev/null 2>>"$CASE_DIR/revoker-errors.log" </dev/null
            fi
            sleep 0.1
        done
    ) &
    pids+=($!)
    # CRL: forced renewals and fresh CRLs.
    (
        while [ ! -e "$stop" ]; do
            hold
            e2e_as "$MEMBER" "$BIN/orca-cactl" --no-ask-password crl renew >/dev/null 2>>"$CASE_DIR/crl-errors.log" </dev/null
            e2e_as "$MEMBER" "$BIN/orca-cactl" --no-ask-password issue-crl >/dev/null 2>>"$CASE_DIR/crl-errors.log" </dev/null
        done
    ) &
    pids+=($!)

    # Until KILLS kills and ISSUES issues that reached the daemon: committed,
    # or cut off by a kill while in flight (bounded by 4×KILLS kills).
    local k=0 problems rows=0 reached=0
    while { [ "$k" -lt "$KILLS" ] || [ "$reached" -lt "$ISSUES" ]; } && [ "$k" -lt $((KILLS * 4)) ]; do
        k=$((k + 1))
        # Half the kills 0–399 ms after the (re)start (start-up, first calls),
        # half 0.4–2.4 s (mid-call and between calls, with issues completing).
        if [ $((k % 2)) = 0 ]; then sleep "0.$(printf '%03d' $((RANDOM % 400)))"
        else sleep "$((RANDOM % 2)).$(printf '%03d' $((400 + RANDOM % 600)))"; fi
        KILLS_TRIED=$((KILLS_TRIED + 1))
        kill -9 "$CAD_PID"; wait "$CAD_PID" 2>/dev/null; CAD_PID=""
        touch "$pause"
        problems=$(consistency_problems "$CASE_DIR" "$out")
        # Calls started just before the pause meet the dead daemon and end.
        sleep 0.3
        if ! start_cad "$CASE_DIR" >>"$CASE_DIR/restarts.log"; then
            fail "restart after kill $k" "$(tail -3 "$CAD_LOG")"; break
        fi
        crl_files_match_index "$CASE_DIR" || problems+=$'\n'"published CRL differs from the index after restart"
        rm -f "$pause"
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
    local revoked cut_rev cut_crl
    revoked=$(q "$CASE_DIR" "SELECT count(*) FROM certificates WHERE status = 'revoked';")
    cut_rev=$(grep -c 'did not answer' "$CASE_DIR/revoker-errors.log" 2>/dev/null)
    cut_crl=$(grep -c 'did not answer' "$CASE_DIR/crl-errors.log" 2>/dev/null)
    check_cmd "revokes and CRL renewals ran under fire too ($revoked revoked, ${cut_rev:-0} revokes and ${cut_crl:-0} CRL calls cut off, CRL number $(q "$CASE_DIR" "SELECT crl_number FROM crl;"))" \
        test "$revoked" -gt 0 -a "$(q "$CASE_DIR" "SELECT crl_number FROM crl;")" -gt "$revoked"
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

# kill -9 while the CA is being created (RSA 4096 keeps init busy): after the
# restart there is either a whole CA (key matching the certificate, 0600) or
# none, and then init works; a key left from the killed attempt is kept.
case_kill9_init() {
    new_case kill9_init
    local i dir served ms
    # How long an undisturbed init takes here, so the kills spread over all of it.
    dir=$CASE_DIR/0; mkdir -p "$dir"; : > "$dir/orca-cad.toml"
    start_cad "$dir" >/dev/null || { fail "daemon starts"; return; }
    local t0; t0=$(date +%s%N)
    ctl root init --yes --key-type rsa4096
    ms=$((($(date +%s%N) - t0) / 1000000))
    check "undisturbed RSA 4096 init (${ms} ms)" 0 "$RC"
    stop_cad
    for i in $(seq "${INIT_KILLS:-16}"); do
        dir=$CASE_DIR/$i; mkdir -p "$dir"; : > "$dir/orca-cad.toml"
        start_cad "$dir" >/dev/null || { fail "daemon starts ($i)"; return; }
        HOME=$ORCA_E2E_DIR/home/root "$BIN/orca-cactl" init --yes --key-type rsa4096 >/dev/null 2>&1 </dev/null &
        local client=$!
        # Anywhere from the call's arrival to a little after its answer.
        local d=$((RANDOM * (ms * 15 / 10) / 32768))
        sleep "$((d / 1000)).$(printf '%03d' $((d % 1000)))"
        KILLS_TRIED=$((KILLS_TRIED + 1))
        kill -9 "$CAD_PID"; wait "$CAD_PID" 2>/dev/null; CAD_PID=""
        wait "$client" 2>/dev/null
        local pending=no
        [ -e "$dir/state/ca.key.new" ] && pending=yes
        start_cad "$dir" >/dev/null || { fail "restart after kill during init ($i)"; return; }
        local has_ca problems=""
        has_ca=$(q "$dir" "SELECT count(*) FROM certificates WHERE kind = 'ca';")
        if [ "$has_ca" = 1 ]; then
            [ -f "$dir/state/ca.key" ] || problems+="CA in the index but no ca.key; "
            [ "$(stat -c %a "$dir/state/ca.key" 2>/dev/null)" = 600 ] || problems+="ca.key not 0600; "
            [ "$(openssl x509 -in "$dir/state/ca.crt" -noout -pubkey 2>&1)" = "$(openssl pkey -in "$dir/state/ca.key" -pubout 2>&1)" ] \
                || problems+="ca.key does not match ca.crt; "
            ctl root issue-client-cert -c after-init-kill --out "$dir/zips"
            [ "$RC" = 0 ] || problems+="issue after restart failed: $ERR; "
            served=whole
        else
            [ ! -f "$dir/state/ca.key" ] || problems+="ca.key without a CA in the index; "
            ctl root init --yes --key-type ecdsa-p256
            [ "$RC" = 0 ] || problems+="init after restart failed: $ERR; "
            served=none
            if [ "$pending" = yes ]; then
                served="none (the killed attempt's key kept as $(cd "$dir/state" && ls ca.key.abandoned-* 2>/dev/null))"
                ls "$dir/state"/ca.key.abandoned-* >/dev/null 2>&1 || problems+="the killed attempt's key was not kept; "
            fi
        fi
        if [ -z "$problems" ]; then
            KILLS_SURVIVED=$((KILLS_SURVIVED + 1))
            pass "kill -9 during init #$i: CA $served after restart, and it works"
        else
            fail "kill -9 during init #$i" "$problems"
        fi
        stop_cad
    done
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
    if cad_serving; then pass "daemon still serving on a full disk"; else fail "daemon still serving on a full disk"; fi
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

# Every file under the state directory with mode and content: the evidence
# that orca-cad must never repair over.
evidence() { find "$1" -type f -printf '%P %m\n' -exec sha256sum {} \; 2>/dev/null | sort; stat -c 'dir %a' "$1"; }

# corrupt_one NAME HOW WANT_REGEX: a CA with two certificates, damaged by
# HOW (a shell snippet run in the state directory); then the daemon must
# refuse to run or refuse every operation, saying what is wrong (WANT_REGEX
# on what orca-cactl prints), and leave the damaged files as they are.
corrupt_one() {
    local name=$1 how=$2 want=$3
    local dir=$CASE_DIR/$name
    mkdir -p "$dir"; : > "$dir/orca-cad.toml"
    start_cad "$dir" || { fail "$name: daemon starts"; return; }
    ctl root init --yes --key-type ecdsa-p256
    ctl root issue-client-cert -c victim --out "$dir/zips"
    stop_cad
    (cd "$dir/state" && eval "$how")
    local before after started=yes
    before=$(evidence "$dir/state")
    start_cad "$dir" >"$dir/start.out" 2>&1 || started=no
    if [ "$started" = yes ]; then
        ctl root issue-client-cert -c after-damage --out "$dir/zips"
        check_cmd "$name: issuing is refused (exit $RC)" test "$RC" -ne 0
        check_match "$name: …saying what is wrong" "$want" "$ERR"
        echo "       orca-cactl said: $ERR"
        ctl root --json list
        check_cmd "$name: list is refused too, not an empty answer (exit $RC)" test "$RC" -ne 0
        ctl root init --yes --key-type ecdsa-p256
        check_cmd "$name: init does not create a CA over the evidence (exit $RC)" test "$RC" -ne 0
        if cad_serving; then pass "$name: daemon stays up to answer"; else fail "$name: daemon stays up to answer"; fi
        stop_cad
    else
        check_match "$name: orca-cad refuses to start, saying what is wrong" "$want" "$(cat "$dir/start.out" "$CAD_LOG")"
    fi
    after=$(evidence "$dir/state")
    check "$name: damaged state left exactly as it was" "$before" "$after"
    check "$name: no bundle written" "" "$(find "$dir/zips" -name '*after-damage*' 2>/dev/null)"
}

case_corrupt_state() {
    new_case corrupt_state
    corrupt_one truncated-index 'truncate -s 4096 index.sqlite; rm -f index.sqlite-wal index.sqlite-shm' 'index\.sqlite'
    corrupt_one garbage-index 'head -c 65536 /dev/urandom > index.sqlite; rm -f index.sqlite-wal index.sqlite-shm' 'index\.sqlite'
    corrupt_one missing-ca-key 'rm ca.key' 'ca\.key.*(missing|not found|no such)|(missing|not found).*ca\.key'
    corrupt_one ca-key-mode-0644 'chmod 0644 ca.key' 'ca\.key.*(0?644|readable|mode|permissions)'
    corrupt_one ca-key-other-key 'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null; chmod 0600 ca.key' 'ca\.key'
    corrupt_one ca-key-garbage 'head -c 300 /dev/urandom > ca.key' 'ca\.key'
    corrupt_one state-dir-0755 'chmod 0755 .' 'state.*(0?755|readable|mode|permissions)|(readable|mode|permissions).*state'
    corrupt_one state-owned-by-user "chown $MEMBER ." 'state belongs to uid [0-9]+.*chown 0 '
}

# Bad input: raw D-Bus calls and command lines beyond what tests/e2e tries,
# and bad configuration values. Each gives a named error or a message; the
# daemon stays up and nothing changes.
case_bad_input() {
    new_case bad_input
    start_cad "$CASE_DIR" || { fail "daemon starts"; return; }
    ctl root init --yes --key-type ecdsa-p256
    ctl root issue-client-cert -c keep --out "$CASE_DIR/zips"
    local before f=$ORCA_E2E_DIR/home/$MEMBER/bad.zip
    before=$(db_digest "$CASE_DIR")
    local name want m sig args
    while IFS='|' read -r name want m sig args; do
        [ -n "$name" ] || continue
        INPUTS_TRIED=$((INPUTS_TRIED + 1))
        raw "$MEMBER" --fd "$f:w" "$m" "$sig" "$args"
        check "raw: $name → ${want##*.}" "$want" "$(raw_result)"
        cad_serving || { fail "…daemon still serving after: $name"; return; }
    done <<'CALLS'
CN with a newline|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueClientCert|sa{sv}h|["a\nb", {}, "@fd0"]
CN with a tab|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueClientCert|sa{sv}h|["a\tb", {}, "@fd0"]
CN with an escape sequence|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueClientCert|sa{sv}h|["\u001b[31mred", {}, "@fd0"]
CN with a right-to-left override|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueClientCert|sa{sv}h|["user\u202egpj.exe", {}, "@fd0"]
CN of 65 characters|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueClientCert|sa{sv}h|["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", {}, "@fd0"]
empty CN|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueClientCert|sa{sv}h|["", {}, "@fd0"]
CN "."|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueClientCert|sa{sv}h|[".", {}, "@fd0"]
CN ".."|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueClientCert|sa{sv}h|["..", {}, "@fd0"]
CN with a backslash|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueClientCert|sa{sv}h|["..\\..\\x", {}, "@fd0"]
CN in Japanese|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueClientCert|sa{sv}h|["受付1", {}, "@fd0"]
host with a slash|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueServerCert|asasa{sv}h|[["../../etc"], [], {}, "@fd0"]
host with an underscore label start|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueServerCert|asasa{sv}h|[["-bad.example"], [], {}, "@fd0"]
host with an empty label|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueServerCert|asasa{sv}h|[["a..example"], [], {}, "@fd0"]
host label of 64 characters|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueServerCert|asasa{sv}h|[["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example"], [], {}, "@fd0"]
host with a space|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueServerCert|asasa{sv}h|[["a b"], [], {}, "@fd0"]
host wildcard|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueServerCert|asasa{sv}h|[["*.example"], [], {}, "@fd0"]
IP with three parts|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueServerCert|asasa{sv}h|[[], ["1.2.3"], {}, "@fd0"]
IP with leading zeros|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueServerCert|asasa{sv}h|[[], ["010.1.1.1"], {}, "@fd0"]
IP with a port|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueServerCert|asasa{sv}h|[[], ["10.0.0.1:8000"], {}, "@fd0"]
IP with a prefix|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueServerCert|asasa{sv}h|[[], ["10.0.0.0/8"], {}, "@fd0"]
IPv6 with a zone|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueServerCert|asasa{sv}h|[[], ["fe80::1%eth0"], {}, "@fd0"]
IP that is a name|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueServerCert|asasa{sv}h|[[], ["localhost"], {}, "@fd0"]
negative validity|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueClientCert|sa{sv}h|["ok", {"validity_days": -1}, "@fd0"]
zero validity|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueClientCert|sa{sv}h|["ok", {"validity_days": 0}, "@fd0"]
id 0|jp.or.med.orca.CaTool1.Error.InvalidArgument|Revoke|ss|["0", ""]
id -1|jp.or.med.orca.CaTool1.Error.InvalidArgument|Revoke|ss|["-1", ""]
id with 33 hex digits|jp.or.med.orca.CaTool1.Error.InvalidArgument|Revoke|ss|["123456789abcdef0123456789abcdef01", ""]
two ids in one|jp.or.med.orca.CaTool1.Error.InvalidArgument|Revoke|ss|["2 3", ""]
id with a semicolon|jp.or.med.orca.CaTool1.Error.InvalidArgument|Revoke|ss|["2;3", ""]
id 9999999 (past six digits)|jp.or.med.orca.CaTool1.Error.NotFound|GetCertificate|s|["9999999"]
unknown list filter|jp.or.med.orca.CaTool1.Error.InvalidArgument|ListCertificates|a{sv}|[{"colour": "red"}]
CALLS
    check "nothing changed by any raw call" "$before" "$(db_digest "$CASE_DIR")"
    check "no bundle written by any of them" 0 "$(find "$ORCA_E2E_DIR/home/$MEMBER" -name 'bad.zip' -size +0 | wc -l)"

    # NUL bytes cannot reach orca-cad: the D-Bus wire format forbids them in
    # strings, and the bus rejects such a message. Checked so a change of
    # transport would show up here.
    INPUTS_TRIED=$((INPUTS_TRIED + 1))
    raw "$MEMBER" --fd "$f:w" IssueClientCert 'sa{sv}h' '["a\u0000b", {}, "@fd0"]'
    check_not_match "a NUL byte in a string never arrives as a call" '^OK' "$RAW"
    if cad_serving; then pass "…daemon still serving"; else fail "…daemon still serving"; fi

    # A descriptor on which every write fails (/dev/full): a named error, and
    # the committed row can still be exported.
    INPUTS_TRIED=$((INPUTS_TRIED + 1))
    raw "$MEMBER" --fd "/dev/full:w" IssueClientCert 'sa{sv}h' '["devfull", {}, "@fd0"]'
    check_match "bundle fd on /dev/full → a named error" "^ERROR jp\.or\.med\.orca\.CaTool1\.Error\.[A-Za-z]+" "$RAW"
    echo "       orca-cad said: $RAW"
    if cad_serving; then pass "…daemon still serving"; else fail "…daemon still serving"; fi
    before=$(db_digest "$CASE_DIR")

    # Export of the CA: a bundle with certificates only, never the CA key.
    INPUTS_TRIED=$((INPUTS_TRIED + 1))
    local cazip=$ORCA_E2E_DIR/home/$MEMBER/ca-export.zip
    rm -f "$cazip"
    raw "$MEMBER" --fd "$cazip:w" Export sh '["1", "@fd0"]'
    if [ "$(raw_result)" = OK ]; then
        check "export of the CA holds no private key" "" "$(unzip -Z1 "$cazip" 2>/dev/null | grep -E '\.(pem|p12|pass)$')"
        check "…and the CA key's lines are not in it" "" "$(unzip -p "$cazip" 2>/dev/null | grep -F -f <(grep -v -- ----- "$CASE_DIR/state/ca.key"))"
    else
        check "export of the CA is refused by name" jp.or.med.orca.CaTool1.Error.NotPermitted "$(raw_result)"
    fi

    # The command line: each bad value exits non-zero with a one-line reason.
    local cmd
    while IFS='|' read -r want cmd; do
        [ -n "$cmd" ] || continue
        INPUTS_TRIED=$((INPUTS_TRIED + 1))
        # shellcheck disable=SC2086
        eval "ctl \"\$MEMBER\" $cmd"
        if [ "$RC" != 0 ] && [ "$RC" = "$want" ] && [ "$(printf '%s\n' "$ERR" | grep -c .)" -ge 1 ]; then
            pass "orca-cactl $cmd → exit $want"
        else
            fail "orca-cactl $cmd → exit $want" "rc=$RC err=$(printf '%s' "$ERR" | head -c 200)"
        fi
    done <<'CMDS'
2|issue-client-cert
2|issue-client-cert -c ok --validity-days ten
2|issue-server-cert
4|show 424242
4|revoke 424242
7|revoke 2 --reason nonsense
2|list --status gone
2|init --yes --key-type rsa1024
2|frobnicate
CMDS
    check "nothing changed by the command lines" "$before" "$(db_digest "$CASE_DIR")"

    # A host name that is an address becomes an iPAddress entry, never a
    # dNSName (browsers match addresses only against iPAddress).
    INPUTS_TRIED=$((INPUTS_TRIED + 1))
    ctl "$MEMBER" issue-server-cert -c 192.168.1.1 --out "$ORCA_E2E_DIR/home/$MEMBER/zips2"
    check "issue-server-cert -c 192.168.1.1 is accepted" 0 "$RC"
    check_match "…as an IP address in subjectAltName" "IP Address:192\.168\.1\.1" \
        "$(unzip -p "$(ls "$ORCA_E2E_DIR/home/$MEMBER"/zips2/*.zip 2>/dev/null | head -1)" '*/0*.crt' 2>/dev/null | openssl x509 -noout -ext subjectAltName 2>&1)"
    check_not_match "…and not as a DNS name" "DNS:192" \
        "$(unzip -p "$(ls "$ORCA_E2E_DIR/home/$MEMBER"/zips2/*.zip 2>/dev/null | head -1)" '*/0*.crt' 2>/dev/null | openssl x509 -noout -ext subjectAltName 2>&1)"
    stop_cad

    # Bad configuration values: the daemon says which key and line is wrong
    # and does not act on a half-read configuration.
    local cfg line
    while IFS='|' read -r want line; do
        [ -n "$line" ] || continue
        INPUTS_TRIED=$((INPUTS_TRIED + 1))
        cfg=$CASE_DIR/cfg; mkdir -p "$cfg"; rm -rf "$cfg/state"
        printf '# comment\n%b\n' "$line" > "$cfg/orca-cad.toml"
        start_cad "$cfg" >/dev/null 2>&1
        ctl root status
        local said="$ERR $(cat "$cfg/cad.log")"
        if [ "$RC" != 0 ] && grep -Eq -- "$want" <<<"$said"; then
            pass "config [$line] refused, naming /$want/"
        else
            fail "config [$line] refused, naming /$want/" "rc=$RC $(printf '%s' "$said" | tail -c 300)"
        fi
        [ -n "${CAD_PID:-}" ] && stop_cad
        : > "$cfg/cad.log"
    done <<'CONFIGS'
key_type|key_type = "rsa1024"
p12_profile|p12_profile = "rc2-40"
server_cert_validity|server_cert_validity = 0
client_cert_validity|client_cert_validity = -5
client_cert_validity|client_cert_validity = "ten"
crl_validity_days|crl_validity_days = 0
no_such_key|no_such_key = 1
line 3|key_type = "rsa2048"\nkey_type = "rsa2048"
line 2|[[[
key_escrow|key_escrow = "yes"
ca_validity_days|ca_validity_days = 1e9
CONFIGS
}

# Secrets: after the other cases, no passphrase or private key line of any
# certificate issued in this run appears in any log; modes as DESIGN.md says;
# nobody but root may own the bus name.
case_secrets() {
    new_case secrets
    start_cad "$CASE_DIR" || { fail "daemon starts"; return; }
    ctl root init --yes --key-type ecdsa-p256
    ctl root issue-client-cert -c modes --out "$CASE_DIR/zips"
    local st=$CASE_DIR/state
    check "state directory 0700" 700 "$(stat -c %a "$st")"
    check "ca.key 0600, root's" "600 root" "$(stat -c '%a %U' "$st/ca.key")"
    check "index.sqlite (holds escrowed keys) 0600" 600 "$(stat -c %a "$st/index.sqlite")"
    check "no file in the state directory readable by others" "" "$(find "$st" -perm /o+r -type f ! -name ca.crt ! -name 'crl.*')"
    check "bundle is 0600" 600 "$(stat -c %a "$(ls "$CASE_DIR"/zips/*.zip | head -1)")"
    check_match "a member cannot own the bus name" "AccessDenied|Access denied" \
        "$(e2e_as "$MEMBER" busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus RequestName su jp.or.med.orca.CaTool1 0 2>&1)"
    local own
    own=$(e2e_as "$MEMBER" timeout 10 "$BIN/orca-cad" --config /dev/null --state-dir "$ORCA_E2E_DIR/home/$MEMBER/st" --idle-timeout 0 2>&1)
    check_match "orca-cad run by a member does not take the name, and says so" "AccessDenied|not allowed|own" "$own"
    check "…the root daemon still owns it" "$(busctl --system status jp.or.med.orca.CaTool1 2>/dev/null | awk -F= '/^PID=/ {print $2}')" "$CAD_PID"
    stop_cad
    local logs=$CASE_DIR/all-logs.txt secrets=$CASE_DIR/secrets.txt
    find "$ORCA_E2E_DIR" -name '*.log' -type f -exec cat {} + > "$logs" 2>/dev/null
    : > "$secrets"
    local db
    for db in $(find "$ORCA_E2E_DIR/cases" -name index.sqlite -path '*/state/*'); do
        sqlite3 "file:$db?mode=ro" "SELECT passphrase FROM key_material; SELECT key_pem FROM key_material; SELECT encrypted_key_pem FROM key_material;" 2>/dev/null \
            | grep -v -- '-----' | grep -E '^[A-Za-z0-9+/=]{16,}$' >> "$secrets"
    done
    local key
    for key in $(find "$ORCA_E2E_DIR/cases" -name ca.key -path '*/state/*'); do
        grep -av -- '-----' "$key" | grep -aE '^[A-Za-z0-9+/=]{16,}$' >> "$secrets"
    done
    sort -u -o "$secrets" "$secrets"
    check_cmd "collected passphrases and key lines to look for ($(wc -l < "$secrets"))" test "$(wc -l < "$secrets")" -gt 100
    check_cmd "collected the daemon logs of the run ($(wc -l < "$logs") lines)" test "$(wc -l < "$logs")" -gt 10
    check "no passphrase or private key line in any log" "" "$(grep -F -f "$secrets" "$logs" | head -3)"

}

# ------------------------------------------------------------------ main
ALL_CASES=(kill9 kill9_init full_disk full_output corrupt_state bad_input secrets)
CASES_RUN=("${@:-${ALL_CASES[@]}}")

FULL_DISK_MOUNT=
# e2e_stop_all dumps the logs when the exit status says failure: keep it.
trap 'rc=$?; [ -z "$FULL_DISK_MOUNT" ] || umount -l "$FULL_DISK_MOUNT"; (exit $rc); e2e_stop_all' EXIT
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
