#!/usr/bin/env bash
# End-to-end tests: a private dbus-daemon, the real polkitd with the
# project's policy and rules, two test users, the real orca-cad and
# orca-cactl. Needs root and the binaries in target/debug.
#
# usage: tests/e2e/run.sh [CASE...]     (default: every case)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cases_weborca.sh"
. "$(dirname "$0")/cases_csr.sh"
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (it creates users and installs polkit files)"; exit 2; }
for tool in jq openssl unzip sqlite3 setpriv busctl /usr/bin/python3; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (see .ci/run for the packages)"; exit 2; }
done

# ------------------------------------------------------------------ cases

# The ORCA page, start to end: CA by root, everything else by a member of orca-ca.
case_page_workflow() {
    new_case page_workflow
    start_cad "$CASE_DIR" || { fail "daemon starts"; return; }
    local certs=$ORCA_E2E_DIR/home/$MEMBER/certs
    # Files the member writes go where the member may write: its home.
    local mine=$ORCA_E2E_DIR/home/$MEMBER

    ctl root init --yes --ca-name "E2E Clinic CA"
    check "root: init" 0 "$RC"
    ctl root init --yes
    check "init twice is refused (exit 5)" 5 "$RC"
    check_match "init twice names the existing CA" "already exists" "$ERR"

    ctl "$MEMBER" issue-server-cert -i 127.0.0.1 -c weborca-server
    check "member: issue-server-cert" 0 "$RC"
    local srv=$certs/000002__JP_orca_weborca-server.zip
    check_cmd "server bundle at \$HOME/certs with the page's name" test -f "$srv"
    check "server bundle is 0600" 600 "$(stat -c %a "$srv" 2>/dev/null)"
    check "server bundle belongs to the member" "$MEMBER" "$(stat -c %U "$srv" 2>/dev/null)"
    check_match "apple warning on stderr" "825" "$ERR"

    ctl "$MEMBER" issue-client-cert -c user1
    check "member: issue-client-cert user1" 0 "$RC"
    ctl "$MEMBER" issue-client-cert -c user2
    check "member: issue-client-cert user2" 0 "$RC"
    local c1=$certs/000003__JP_orca_user1.zip c2=$certs/000004__JP_orca_user2.zip
    check_cmd "client bundles 000003 and 000004" test -f "$c1" -a -f "$c2"
    check "no temporary files left in \$HOME/certs" 0 "$(find "$certs" -name '.*' -type f | wc -l)"

    local x=$CASE_DIR/x
    mkdir -p "$x"
    (cd "$x" && unzip -q "$srv" && unzip -q "$c1" && unzip -q "$c2")
    check "zip holds exactly the page's six files" \
        "000003__JP_orca_user1/ 000003__JP_orca_user1/000003__JP_orca_user1.crt 000003__JP_orca_user1/000003__JP_orca_user1.enc.pem 000003__JP_orca_user1/000003__JP_orca_user1.p12 000003__JP_orca_user1/000003__JP_orca_user1.pass 000003__JP_orca_user1/000003__JP_orca_user1.pem 000003__JP_orca_user1/ca.crt" \
        "$(unzip -Z1 "$c1" | sort | tr '\n' ' ' | sed 's/ $//')"
    local S=$x/000002__JP_orca_weborca-server/000002__JP_orca_weborca-server
    local U1=$x/000003__JP_orca_user1/000003__JP_orca_user1 U2=$x/000004__JP_orca_user2/000004__JP_orca_user2
    local CA=$x/000003__JP_orca_user1/ca.crt
    check_cmd "openssl: server verifies for 127.0.0.1 (sslserver, x509_strict)" \
        openssl verify -x509_strict -purpose sslserver -verify_ip 127.0.0.1 -CAfile "$CA" "$S.crt"
    check_cmd "openssl: server verifies for weborca-server" \
        openssl verify -x509_strict -purpose sslserver -verify_hostname weborca-server -CAfile "$CA" "$S.crt"
    check_cmd "openssl: client verifies (sslclient, x509_strict)" \
        openssl verify -x509_strict -purpose sslclient -CAfile "$CA" "$U1.crt"
    check_cmd "openssl: p12 opens with .pass, no -legacy" \
        openssl pkcs12 -in "$U1.p12" -passin "file:$U1.pass" -noout
    check_not "openssl: p12 refuses a wrong passphrase" \
        openssl pkcs12 -in "$U1.p12" -passin pass:wrong -noout

    ctl "$MEMBER" --json list
    check "list shows CA + 3" 4 "$(json 'length')"
    ctl "$MEMBER" --json list user
    check "list PATTERN finds the two users" "user1 user2" "$(json '[.[].common_name] | join(" ")')"
    ctl "$MEMBER" list
    check_match "human list names user2" "user2" "$OUT"

    ctl "$MEMBER" revoke 4 --reason keyCompromise
    check "member: revoke 000004" 0 "$RC"
    ctl "$MEMBER" revoke 000004
    check_match "second revoke says already revoked" "already revoked" "$ERR"
    check_match "…and orca-cad's log records the refusal with who and what" \
        "WARN .*not done action=\"jp.or.med.orca.catool.revoke\" uid=$(id -u "$MEMBER") error=\"jp.or.med.orca.CaTool1.Error.AlreadyRevoked\"" "$(cat "$CAD_LOG")"
    ctl "$MEMBER" issue-crl --out "$mine/crl.pem"
    check "member: issue-crl --out" 0 "$RC"
    local serial2
    serial2=$(openssl x509 -in "$U2.crt" -noout -serial | cut -d= -f2)
    check_match "CRL lists the revoked serial" "$serial2" "$(openssl crl -in "$mine/crl.pem" -noout -text)"
    check_match "CRL carries keyCompromise" "Key Compromise" "$(openssl crl -in "$mine/crl.pem" -noout -text)"
    check_match "openssl -crl_check: user2 revoked" "certificate revoked" \
        "$(openssl verify -crl_check -CRLfile "$mine/crl.pem" -CAfile "$CA" "$U2.crt" 2>&1)"
    check_cmd "openssl -crl_check: user1 still fine" \
        openssl verify -crl_check -CRLfile "$mine/crl.pem" -CAfile "$CA" "$U1.crt"
    check "published CRL in the state dir equals the fetched one" \
        "$(openssl crl -in "$mine/crl.pem" -noout -fingerprint)" \
        "$(openssl crl -inform DER -in "$CASE_DIR/state/crl.der" -noout -fingerprint 2>&1)"

    local out=$ORCA_E2E_DIR/home/$MEMBER/out
    ctl "$MEMBER" export 3 --out "$out"
    check "member: export 3 --out" 0 "$RC"
    check_cmd "export equals the original bundle, byte for byte" cmp "$c1" "$out/000003__JP_orca_user1.zip"
    ctl "$MEMBER" --json show 3
    check "show: common name" user1 "$(json .common_name)"
    check "show: status" valid "$(json .status)"
    ctl "$MEMBER" --json show 4
    check "show revoked: status" revoked "$(json .status)"
    ctl "$MEMBER" ca-cert --out "$mine/ca.pem"
    check_cmd "ca-cert equals the bundle's ca.crt" cmp "$mine/ca.pem" "$CA"
    ctl "$MEMBER" status
    check "status" 0 "$RC"

    # The page's own command lines, through the orca-catool name.
    legacy "$MEMBER" issue_client_cert -c user3
    check "orca-catool issue_client_cert -c user3" 0 "$RC"
    check_cmd "…writes \$HOME/certs/000005__JP_orca_user3.zip" test -f "$certs/000005__JP_orca_user3.zip"
    legacy "$MEMBER" issue_server_cert -i 192.168.1.100
    check "orca-catool issue_server_cert -i 192.168.1.100" 0 "$RC"
    check_cmd "…writes 000006__JP_orca_192.168.1.100.zip" test -f "$certs/000006__JP_orca_192.168.1.100.zip"
    legacy "$MEMBER" list_cert
    check_match "orca-catool list_cert lists user3" "user3" "$OUT"

    stop_cad; check "daemon exits 0 on SIGTERM" 0 "$CAD_RC"
}

# Someone outside orca-ca: every change refused, nothing changed, no files.
case_outsider() {
    new_case outsider 'key_type = "ecdsa-p256"'
    start_cad "$CASE_DIR" || { fail "daemon starts"; return; }
    ctl root init --yes
    ctl root issue-client-cert -c victim
    check "setup: root issues 000002" 0 "$RC"
    local before after
    before=$(state_digest "$CASE_DIR")

    local cmd
    for cmd in "init --yes" "issue-server-cert -c host" "issue-client-cert -c intruder" \
        "export 2" "revoke 2" "issue-crl" "crl renew"; do
        # shellcheck disable=SC2086
        ctl "$OTHER" $cmd
        if [ "$RC" != 0 ] && printf '%s' "$ERR" | grep -q "orca-ca"; then
            pass "outsider: $cmd refused, naming the orca-ca group"
        else
            fail "outsider: $cmd refused, naming the orca-ca group" "rc=$RC err=$ERR"
        fi
    done
    local probe=$ORCA_E2E_DIR/home/$OTHER/probe.zip
    local m sig args
    while IFS='|' read -r m sig args; do
        raw "$OTHER" --interactive --fd "$probe:w" "$m" "$sig" "$args"
        check "raw $m (interactive) → AccessDenied" org.freedesktop.DBus.Error.AccessDenied "$(raw_result)"
        raw "$OTHER" --fd "$probe:w" "$m" "$sig" "$args"
        check "raw $m (not interactive) → InteractiveAuthorizationRequired" \
            org.freedesktop.DBus.Error.InteractiveAuthorizationRequired "$(raw_result)"
    done <<'CALLS'
Initialize|a{sv}|[{}]
IssueServerCert|asasa{sv}h|[["host"], [], {}, "@fd0"]
IssueClientCert|sa{sv}h|["intruder", {}, "@fd0"]
Export|sh|["2", "@fd0"]
Revoke|ss|["2", "keyCompromise"]
IssueCrl||[]
RenewCrl|b|[false]
CALLS
    after=$(state_digest "$CASE_DIR")
    check "index, counters, CRL and state files unchanged" "$before" "$after"
    check "outsider got no bundle" 0 "$(find "$ORCA_E2E_DIR/home/$OTHER" -name '*.zip' -size +0 | wc -l)"
    stop_cad; check "daemon exits 0 on SIGTERM" 0 "$CAD_RC"
}

# Without polkitd nobody but root is allowed anything.
case_polkit_down() {
    new_case polkit_down 'key_type = "ecdsa-p256"'
    start_cad "$CASE_DIR" || { fail "daemon starts"; return; }
    ctl root init --yes
    e2e_stop_polkit
    ctl "$MEMBER" issue-client-cert -c nopolkit
    check "member refused while polkitd is down (exit 3)" 3 "$RC"
    check_match "…and told polkit is not available" "polkit" "$ERR"
    raw "$MEMBER" --interactive IssueCrl "" "[]"
    check "raw IssueCrl → AccessDenied" org.freedesktop.DBus.Error.AccessDenied "$(raw_result)"
    ctl root issue-client-cert -c byroot
    check "root still works (uid 0 skips polkit)" 0 "$RC"
    e2e_start_polkit
    ctl "$MEMBER" issue-client-cert -c polkitback
    check "member allowed again once polkitd is back" 0 "$RC"
    stop_cad; check "daemon exits 0" 0 "$CAD_RC"
}

# The first call starts orca-cad through the activation file; idle, it exits.
case_bus_activation() {
    new_case bus_activation 'key_type = "ecdsa-p256"'
    e2e_stop_service
    e2e_install_activation "$BIN/orca-cad --config $CASE_DIR/orca-cad.toml --state-dir $CASE_DIR/state --idle-timeout 3"
    check_not "nobody owns the name before the call" busctl --system status jp.or.med.orca.CaTool1
    ctl "$MEMBER" --json status
    check "member: status activates orca-cad" 0 "$RC"
    check "…which reports no CA yet" false "$(json .initialized)"
    check_cmd "the name is owned now" busctl --system status jp.or.med.orca.CaTool1
    local i gone=no
    for i in $(seq 100); do
        busctl --system status jp.or.med.orca.CaTool1 >/dev/null 2>&1 || { gone=yes; break; }
        sleep 0.1
    done
    check "idle orca-cad exits after its timeout" yes "$gone"
    ctl root init --yes
    check "the next call activates it again" 0 "$RC"
    e2e_stop_service
    rm -f "$ORCA_E2E_DIR/services/jp.or.med.orca.CaTool1.service"
    busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig
}

# READY=1 only once the name is owned.
case_ready_notification() {
    new_case ready_notification
    local out rc=0
    out=$("$PY" "$BIN/notify_ready.py" 20 "$BIN/orca-cad" --config "$CASE_DIR/orca-cad.toml" \
        --state-dir "$CASE_DIR/state" --idle-timeout 0 2>>"$CASE_DIR/cad.log") || rc=$?
    check "READY=1 came after the name was owned" 0 "$rc"
    check_match "STATUS= sent with READY=1" "STATUS=" "$out"
    CAD_PID=$(awk '/^PID/ {print $2}' <<<"$out")
    check "daemon exits 0" 0 "$(kill -TERM "$CAD_PID"; for _ in $(seq 50); do kill -0 "$CAD_PID" 2>/dev/null || break; sleep 0.1; done; kill -0 "$CAD_PID" 2>/dev/null && echo running || echo 0)"
    CAD_PID=""
}

# Eight clients issuing at once: 200 distinct numbers and serials.
case_parallel_clients() {
    new_case parallel_clients 'key_type = "ecdsa-p256"'
    start_cad "$CASE_DIR" || { fail "daemon starts"; return; }
    ctl root init --yes
    local i pids=() errors=$CASE_DIR/errors
    : > "$errors"
    for i in $(seq 8); do
        (
            for j in $(seq 25); do
                e2e_as "$MEMBER" "$BIN/orca-cactl" issue-client-cert -c "p$i-$j" >/dev/null 2>>"$errors" </dev/null \
                    || echo "client $i/$j failed" >>"$errors"
            done
        ) &
        pids+=($!)
    done
    wait "${pids[@]}"
    check "no client saw an error" "" "$(cat "$errors")"
    local certs=$ORCA_E2E_DIR/home/$MEMBER/certs
    check "200 bundles" 200 "$(find "$certs" -name '*.zip' | wc -l)"
    check "200 distinct issue numbers" 200 "$(find "$certs" -name '*.zip' -printf '%f\n' | cut -c1-6 | sort -u | wc -l)"
    check "numbers are 000002…000201" "000002 000201" \
        "$(find "$certs" -name '*.zip' -printf '%f\n' | cut -c1-6 | sort | sed -n '1p;$p' | tr '\n' ' ' | sed 's/ $//')"
    ctl root --json list --kind client
    check "index has 200 client rows" 200 "$(json 'length')"
    check "200 distinct serials" 200 "$(json '.[].serial' | sort -u | wc -l)"
    stop_cad; check "daemon exits 0" 0 "$CAD_RC"
}

# A restart keeps everything; SIGTERM during a call answers it first.
case_restart_and_sigterm() {
    new_case restart_and_sigterm 'key_type = "rsa4096"'
    start_cad "$CASE_DIR" || { fail "daemon starts"; return; }
    ctl root init --yes --key-type ecdsa-p256
    ctl "$MEMBER" issue-client-cert -c before
    check "issue before restart" 0 "$RC"
    stop_cad; check "SIGTERM: exit 0" 0 "$CAD_RC"
    start_cad "$CASE_DIR" || { fail "daemon restarts"; return; }
    ctl "$MEMBER" --json list
    check "after restart: CA and 000002 still listed" "000001 000002" "$(json '[.[].issue_number] | join(" ")')"
    # rsa4096 key generation keeps the call busy long enough to signal it.
    local o=$CASE_DIR/slow.out rc=0
    e2e_as "$MEMBER" "$BIN/orca-cactl" --json issue-client-cert -c during >"$o" 2>&1 </dev/null &
    local client=$!
    sleep 0.3
    kill -TERM "$CAD_PID"
    wait "$client" || rc=$?
    check "the call in flight during SIGTERM succeeded" 0 "$rc"
    local rc2=0; wait "$CAD_PID" || rc2=$?; CAD_PID=""
    check "daemon then exited 0" 0 "$rc2"
    check_cmd "its bundle is complete" unzip -tq "$ORCA_E2E_DIR/home/$MEMBER/certs/000003__JP_orca_during.zip"
    start_cad "$CASE_DIR" || { fail "daemon restarts"; return; }
    ctl "$MEMBER" --json show 3
    check "000003 is in the index after restart" during "$(json .common_name)"
    ctl "$MEMBER" issue-client-cert -c after
    check_cmd "numbering continues at 000004" test -f "$ORCA_E2E_DIR/home/$MEMBER/certs/000004__JP_orca_after.zip"
    stop_cad; check "daemon exits 0" 0 "$CAD_RC"
}

# What desktop tools and scripts watch: read-only properties and the signals
# on issue, revoke and CRL update, as seen by an ordinary subscriber.
case_signals_and_properties() {
    new_case signals_and_properties 'key_type = "ecdsa-p256"'
    start_cad "$CASE_DIR" || { fail "daemon starts"; return; }
    local log=$CASE_DIR/signals.log mon i now
    check "Initialized is false before init" "b false" "$(busctl --system get-property $OBJ Initialized)"
    check "Version is the client's version" "s \"$("$BIN/orca-cactl" --version | awk '{print $2}')\"" \
        "$(busctl --system get-property $OBJ Version)"
    : > "$log"; chmod 0666 "$log"
    e2e_as_argv "$MEMBER"
    "${E2E_AS[@]}" gdbus monitor --system --dest jp.or.med.orca.CaTool1 >"$log" 2>&1 &
    mon=$!
    for i in $(seq 50); do grep -q "is owned by" "$log" && break; sleep 0.1; done
    ctl root init --yes --ca-name "Signal Clinic CA"
    ctl "$MEMBER" issue-client-cert -c sig1
    ctl "$MEMBER" revoke 2 --reason superseded
    ctl "$MEMBER" issue-crl
    for i in $(seq 50); do [ "$(grep -c "CrlUpdated" "$log")" -ge 2 ] && break; sleep 0.1; done
    kill "$mon" 2>/dev/null; wait "$mon" 2>/dev/null
    check_match "PropertiesChanged: Initialized became true" "'Initialized': <true>" "$(cat "$log")"
    check_match "PropertiesChanged: CaSubject" "'CaSubject': <'/C=JP/O=orca/CN=Signal Clinic CA'>" "$(cat "$log")"
    check_match "CertificateIssued names sig1" "CertificateIssued .*'sig1'" "$(cat "$log")"
    check_match "CertificateRevoked names 000002 and its reason" "CertificateRevoked .*'000002'.*superseded|CertificateRevoked .*superseded.*'000002'" "$(cat "$log")"
    check "CrlUpdated on revoke and on issue-crl" 2 "$(grep -c "CrlUpdated" "$log")"
    check "Initialized is true after init" "b true" "$(busctl --system get-property $OBJ Initialized)"
    now=$(date +%s)
    check_cmd "CaNotAfter is in the future" test "$(busctl --system get-property $OBJ CaNotAfter | awk '{print $2}')" -gt "$now"
    check_cmd "CrlNextUpdate is in the future" test "$(busctl --system get-property $OBJ CrlNextUpdate | awk '{print $2}')" -gt "$now"
    stop_cad; check "daemon exits 0" 0 "$CAD_RC"
}

# Someone outside orca-ca, at a terminal (as over SSH): orca-cactl starts
# pkttyagent, polkit asks for an administrator's password, and the call goes
# through with the right one and is refused, leaving nothing, with a wrong one.
case_password_prompt() {
    new_case password_prompt
    start_cad "$CASE_DIR" || { fail "daemon starts"; return; }
    ctl root init --yes
    local pw certs=$ORCA_E2E_DIR/home/$OTHER/certs before
    pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    e2e_add_admin "$pw" || { fail "test administrator created"; return; }
    before=$(state_digest "$CASE_DIR")

    on_tty "$OTHER" 'Password:' "not-$pw" issue-client-cert -c typo
    check_match "pkttyagent asks for the administrator's password" "Authenticating as: $E2E_ADMIN" "$TTY_OUT"
    check "wrong password: not authorized (exit 3)" 3 "$TTY_RC"
    [ "$TTY_RC" = 3 ] || printf '%s\n' "$TTY_OUT" | tail -15 | sed 's/^/       | /'
    check "…no bundle and no temporary file left" 0 "$(find "$certs" -type f 2>/dev/null | wc -l)"
    check "…index and CRL unchanged" "$before" "$(state_digest "$CASE_DIR")"

    on_tty "$OTHER" 'Password:' "$pw" issue-client-cert -c typed
    check "right password: issued (exit 0)" 0 "$TTY_RC"
    check_cmd "…the bundle is in the outsider's certs" test -f "$certs/000002__JP_orca_typed.zip"
    check_not "the password is in no log of orca-cad" grep -rqF "$pw" "$CASE_DIR/cad.log"

    ctl "$OTHER" issue-client-cert -c notty
    check "without a terminal nobody can be asked: refused (exit 3)" 3 "$RC"
    stop_cad; check "daemon exits 0" 0 "$CAD_RC"
}

# Calls orca-cactl would never make: each gets a named error, and the daemon stays up.
# A body that does not match the signature is refused by zbus itself, before
# our code runs, as org.freedesktop.zbus.Error (zbus maps every body decoding
# error there; its message names the type mismatch).
case_raw_bad_input() {
    new_case raw_bad_input 'key_type = "ecdsa-p256"'
    start_cad "$CASE_DIR" || { fail "daemon starts"; return; }
    ctl root init --yes
    local before
    before=$(state_digest "$CASE_DIR")
    local f=$ORCA_E2E_DIR/home/$MEMBER/raw.zip ro=$ORCA_E2E_DIR/home/$MEMBER/ro.zip
    e2e_as "$MEMBER" touch "$ro"
    local big sans
    big=$(head -c 1048576 /dev/zero | tr '\0' 'a')
    sans=$(seq 10000 | awk 'BEGIN{printf "["} {printf "%s\"h%d\"", (NR>1?",":""), $1} END{printf "]"}')
    local name want sig args fd
    while IFS='|' read -r name want m sig args fd; do
        if [ -n "$fd" ]; then raw "$MEMBER" --fd "$fd" "$m" "$sig" "$args"; else raw "$MEMBER" "$m" "$sig" "$args"; fi
        check "$name → $want" "$want" "$(raw_result)"
        if daemon_alive; then pass "…daemon still serving"; else fail "…daemon still serving"; return; fi
    done <<CALLS
wrong argument type|org.freedesktop.zbus.Error|IssueClientCert|ia{sv}h|[1, {}, "@fd0"]|$f:w
missing arguments|org.freedesktop.zbus.Error|Revoke|s|["2"]|
path traversal in CN|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueClientCert|sa{sv}h|["../../etc/passwd", {}, "@fd0"]|$f:w
slash in CN|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueClientCert|sa{sv}h|["a/b", {}, "@fd0"]|$f:w
invalid IP|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueServerCert|asasa{sv}h|[[], ["192.168.1.300"], {}, "@fd0"]|$f:w
no hosts|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueServerCert|asasa{sv}h|[[], [], {}, "@fd0"]|$f:w
10 000 SAN entries|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueServerCert|asasa{sv}h|[$sans, [], {}, "@fd0"]|$f:w
unknown option|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueClientCert|sa{sv}h|["ok", {"bogus": 1}, "@fd0"]|$f:w
option of the wrong type|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueClientCert|sa{sv}h|["ok", {"validity_days": "ten"}, "@fd0"]|$f:w
validity out of range|jp.or.med.orca.CaTool1.Error.InvalidArgument|IssueClientCert|sa{sv}h|["ok", {"validity_days": 99999}, "@fd0"]|$f:w
read-only fd|jp.or.med.orca.CaTool1.Error.BadFileDescriptor|IssueClientCert|sa{sv}h|["ok", {}, "@fd0"]|$ro:r
pipe instead of a file|jp.or.med.orca.CaTool1.Error.BadFileDescriptor|IssueClientCert|sa{sv}h|["ok", {}, "@fd0"]|$f:pipe
directory fd|jp.or.med.orca.CaTool1.Error.BadFileDescriptor|Export|sh|["1", "@fd0"]|/tmp:dir
bad id|jp.or.med.orca.CaTool1.Error.InvalidArgument|Revoke|ss|["../1", ""]|
unknown id|jp.or.med.orca.CaTool1.Error.NotFound|Revoke|ss|["999", ""]|
unknown reason|jp.or.med.orca.CaTool1.Error.InvalidArgument|Revoke|ss|["2", "certificateHold"]|
revoke the CA|jp.or.med.orca.CaTool1.Error.NotPermitted|Revoke|ss|["1", ""]|
bad status filter|jp.or.med.orca.CaTool1.Error.InvalidArgument|ListCertificates|a{sv}|[{"status": "gone"}]|
CALLS
    printf '["%s", {}, "@fd0"]' "$big" > "$CASE_DIR/big.json"
    chmod 0644 "$CASE_DIR/big.json"; chmod 0755 "$CASE_DIR"
    raw "$MEMBER" --fd "$f:w" IssueClientCert 'sa{sv}h' "@$CASE_DIR/big.json"
    check "1 MB CN → InvalidArgument" jp.or.med.orca.CaTool1.Error.InvalidArgument "$(raw_result)"
    check_match "…and the message does not echo a megabyte" '^.{0,600}$' "$RAW"
    check "nothing changed by any of them" "$before" "$(state_digest "$CASE_DIR")"
    stop_cad; check "daemon exits 0" 0 "$CAD_RC"
}

# ------------------------------------------------------------------ main
ALL_CASES=(page_workflow outsider polkit_down bus_activation ready_notification
    parallel_clients restart_and_sigterm raw_bad_input password_prompt signals_and_properties
    "${WEBORCA_CASES[@]}"    # cases_weborca.sh
    "${CSR_CASES[@]}")       # cases_csr.sh
CASES_RUN=("${@:-${ALL_CASES[@]}}")

trap 'weborca_cleanup; e2e_stop_all' EXIT
e2e_start_bus && e2e_install_polkit && e2e_start_polkit && e2e_setup_users \
    || { echo "harness did not come up"; e2e_dump_logs; exit 1; }
e2e_install_binaries
for c in "${CASES_RUN[@]}"; do
    "case_$c"
    [ -n "${CAD_PID:-}" ] && stop_cad >/dev/null
    if [ "${CASE_FAILED[$c]:-0}" -gt 0 ] && [ -f "$ORCA_E2E_DIR/cases/$c/cad.log" ]; then
        echo "  --- orca-cad log ($c) ---"; tail -20 "$ORCA_E2E_DIR/cases/$c/cad.log" | sed 's/^/  /'
    fi
done
summary
[ "$FAILED" -eq 0 ]
