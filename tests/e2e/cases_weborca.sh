# shellcheck shell=bash
# End-to-end cases of the WebORCA integration (issue 4): install-server-cert,
# install-client-cert and doctor, against the real orca-cad, polkitd and
# OpenSSL. systemd cannot run as PID 1 here: fake_systemd1.py owns
# org.freedesktop.systemd1 on the private bus and speaks the same
# interface (RestartUnit, JobRemoved, NoSuchUnit). Sourced by run.sh.

WO_USER=orcae2e-weborca        # the user WebORCA-Server runs as, for these cases
WO_UNIT=jma-receipt-weborca.service

# ------------------------------------------------------------------ helpers

# The WebORCA user and group exist only while these cases run.
wo_user_add() {
    getent passwd "$WO_USER" >/dev/null && return 0
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$WO_USER" || return 1
    touch "$ORCA_E2E_DIR/weborca-user-created"
}
wo_user_del() {
    [ -f "$ORCA_E2E_DIR/weborca-user-created" ] || return 0
    userdel "$WO_USER" 2>/dev/null || true
    getent group "$WO_USER" >/dev/null && groupdel "$WO_USER" 2>/dev/null
    rm -f "$ORCA_E2E_DIR/weborca-user-created"
}

# wo_case NAME [EXTRA_TOML]: a case whose orca-cad places files for $WO_USER.
wo_case() {
    new_case "$1" "key_type = \"ecdsa-p256\"
weborca_user = \"$WO_USER\"
weborca_group = \"$WO_USER\"
${2:-}"
    wo_user_add || fail "create the WebORCA test user $WO_USER"
    local tool
    for tool in faketime zip; do
        command -v "$tool" >/dev/null || fail "$tool is installed (tests/install-deps.sh)"
    done
    WO_DIR=$CASE_DIR/weborca
    WO_CONF=$WO_DIR/jma-receipt.conf
}

# fake_systemd "UNIT RESULT"...: (re)starts the stand-in with these units.
fake_systemd() {
    fake_systemd_stop
    FAKE_UNITS=$CASE_DIR/systemd-units FAKE_CALLS=$CASE_DIR/systemd-calls
    printf '%s\n' "$@" > "$FAKE_UNITS"
    : > "$FAKE_CALLS"
    "$PY" "$E2E_TOP/tests/e2e/fake_systemd1.py" "$FAKE_UNITS" "$FAKE_CALLS" \
        >>"$CASE_DIR/fake-systemd.log" 2>&1 &
    FAKE_PID=$!
    local i
    for i in $(seq 50); do
        busctl --system status org.freedesktop.systemd1 >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    fail "fake systemd takes org.freedesktop.systemd1" "$(tail -3 "$CASE_DIR/fake-systemd.log")"
}
fake_systemd_stop() {
    [ -n "${FAKE_PID:-}" ] || return 0
    kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null
    FAKE_PID=""
}
restarts() { grep -c '^RestartUnit' "$FAKE_CALLS" 2>/dev/null || true; }

# A jma-receipt.conf shaped like WebORCA's: comments (one in EUC-JP),
# other variables, an old SERVER_CRT= line.
realistic_conf() {
    printf '# jma-receipt.conf: WebORCA settings\n'
    printf '# \xc6\xfc\xa5\xec\xa5\xbb (nichi-rese) on premises\n'
    printf 'DBNAME=orca\nDBHOST=localhost\n\n'
    printf 'WEBORCA_PORT=8000   # listen port\n'
    printf '#SERVER_CRT=/example/commented-out.crt\n'
    printf 'SERVER_CRT=/opt/jma/weborca/conf/000009__JP_orca_old.crt\n'
    printf 'LOGLEVEL=info\n'
}

# Names, modes, owners and contents of everything in DIR.
dir_digest() {
    (cd "$1" 2>/dev/null && find . -printf '%P %m %u %g %s\n' | sort && find . -type f -exec sha256sum {} + | sort) \
        | sha256sum | cut -c1-16
}

# The WebORCA directory of a fresh case with a realistic conf, and a CA,
# server certificate 000002 (127.0.0.1, weborca-server) and client 000003.
wo_setup() {
    mkdir -p "$WO_DIR"
    realistic_conf > "$WO_CONF"
    chown "root:$WO_USER" "$WO_CONF"; chmod 0640 "$WO_CONF"
    start_cad "$CASE_DIR" || { fail "daemon starts"; return 1; }
    ctl root init --yes --ca-name "E2E WebORCA CA"
    ctl "$MEMBER" issue-server-cert -i 127.0.0.1 -c weborca-server --validity-days 825
    check "setup: server certificate 000002" 0 "$RC"
    ctl "$MEMBER" issue-client-cert -c user1
    check "setup: client certificate 000003" 0 "$RC"
    SRV=000002__JP_orca_weborca-server
    CLI=000003__JP_orca_user1
    CLIENT_ZIP=$ORCA_E2E_DIR/home/$MEMBER/certs/$CLI.zip
}

jcheck() { check "$1" "$2" "$(json "$3")"; }

# status of check ID in a doctor --json OUT
doctor_status() { json "[.checks[] | select(.id == \"$1\") | .status] | join(\",\")"; }

# ------------------------------------------------------------------ cases

# Placement, conf editing, restart, idempotence, client files, refusals,
# and an outsider who changes nothing.
case_weborca_install() {
    wo_case weborca_install
    wo_setup || return
    fake_systemd "$WO_UNIT done"
    local before
    before=$(dir_digest "$WO_DIR")

    ctl "$OTHER" install-server-cert 2
    check "outsider: install-server-cert refused (exit 3)" 3 "$RC"
    check_match "…naming the orca-ca group" "orca-ca" "$ERR"
    ctl "$OTHER" install-client-cert 3
    check "outsider: install-client-cert refused (exit 3)" 3 "$RC"
    raw "$OTHER" --interactive InstallServerCert 'sa{sv}' '["2", {}]'
    check "outsider raw InstallServerCert → AccessDenied" org.freedesktop.DBus.Error.AccessDenied "$(raw_result)"
    raw "$OTHER" Diagnose 'a{sv}' '[{}]'
    check "outsider raw Diagnose → InteractiveAuthorizationRequired" \
        org.freedesktop.DBus.Error.InteractiveAuthorizationRequired "$(raw_result)"
    check "outsider: WebORCA directory unchanged" "$before" "$(dir_digest "$WO_DIR")"
    check "outsider: no restart requested" 0 "$(restarts)"

    ctl "$MEMBER" --json install-server-cert 2
    check "member: install-server-cert 2" 0 "$RC"
    jcheck "…restart done" done .restart
    jcheck "…owner" "$WO_USER:$WO_USER" .owner
    check "restart requested exactly once, mode replace" "RestartUnit $WO_UNIT replace" \
        "$(grep '^RestartUnit' "$FAKE_CALLS")"
    check "exact file set in the WebORCA directory" \
        "$SRV.crt $SRV.pem ca.crt jma-receipt.conf jma-receipt.conf.BACKUP.bak" \
        "$(cd "$WO_DIR" && ls | sed -E 's/\.[0-9]{8}-[0-9]{6}\.bak$/.BACKUP.bak/' | sort | tr '\n' ' ' | sed 's/ $//')"
    local f
    for f in "$SRV.crt" "$SRV.pem" ca.crt; do
        check "$f: owner $WO_USER:$WO_USER, mode 400" "$WO_USER $WO_USER 400" \
            "$(stat -c '%U %G %a' "$WO_DIR/$f")"
    done
    local expected=$CASE_DIR/expected.conf
    {
        realistic_conf | sed "s|^SERVER_CRT=.*|SERVER_CRT=$WO_DIR/$SRV.crt|"
        printf '# SSL client authentication (set by orca-cad: orca-cactl install-server-cert)\n'
        printf 'SERVER_PEM=%s\nCA_CRT=%s\n' "$WO_DIR/$SRV.pem" "$WO_DIR/ca.crt"
    } > "$expected"
    check_cmd "conf: old SERVER_CRT replaced in place, others appended, every other byte kept" \
        cmp "$expected" "$WO_CONF"
    check "conf keeps its owner and mode" "root $WO_USER 640" "$(stat -c '%U %G %a' "$WO_CONF")"
    local backup
    backup=$(ls "$WO_DIR"/jma-receipt.conf.*.bak)
    check_cmd "backup holds the previous conf" cmp <(realistic_conf) "$backup"
    check "backup has the conf's owner and mode" "root $WO_USER 640" "$(stat -c '%U %G %a' "$backup")"
    check "the shell reads the new values" "$WO_DIR/$SRV.crt $WO_DIR/$SRV.pem $WO_DIR/ca.crt" \
        "$(bash -c ". '$WO_CONF'; echo \$SERVER_CRT \$SERVER_PEM \$CA_CRT")"
    check_cmd "openssl: placed certificate verifies against placed ca.crt for 127.0.0.1" \
        openssl verify -purpose sslserver -verify_ip 127.0.0.1 -CAfile "$WO_DIR/ca.crt" "$WO_DIR/$SRV.crt"
    check "openssl: placed key is the certificate's key" \
        "$(openssl x509 -in "$WO_DIR/$SRV.crt" -noout -pubkey)" \
        "$(openssl pkey -in "$WO_DIR/$SRV.pem" -pubout 2>&1)"
    check_not "placed key is not encrypted" grep -q ENCRYPTED "$WO_DIR/$SRV.pem"

    # Installing twice: same files, no new backup, conf untouched.
    local conf_sum after_first
    conf_sum=$(sha256sum < "$WO_CONF"); after_first=$(dir_digest "$WO_DIR")
    ctl "$MEMBER" --json install-server-cert 000002
    check "install twice" 0 "$RC"
    jcheck "…conf_changed false" false .conf_changed
    check "…conf unchanged" "$conf_sum" "$(sha256sum < "$WO_CONF")"
    check "…still one backup" 1 "$(ls "$WO_DIR"/jma-receipt.conf.*.bak | wc -l)"
    check "…directory as after the first install" "$after_first" "$(dir_digest "$WO_DIR")"
    check "…restart requested again" 2 "$(restarts)"

    ctl "$MEMBER" --json install-server-cert 2 --no-restart
    check "--no-restart" 0 "$RC"
    jcheck "…restart skipped" skipped .restart
    check_match "…says what to run" "systemctl restart $WO_UNIT" "$(json .next_step)"
    check "…no restart requested" 2 "$(restarts)"
    ctl "$MEMBER" install-server-cert 2 --no-restart
    check_match "people see the command too" "sudo systemctl restart $WO_UNIT" "$OUT"

    ctl "$MEMBER" install-client-cert 3
    check "install-client-cert 3" 0 "$RC"
    for f in "$CLI.crt" "$CLI.pem" "$CLI.enc.pem" "$CLI.pass" ca.crt; do
        check "$f: owner $WO_USER, mode 400" "$WO_USER 400" "$(stat -c '%U %a' "$WO_DIR/$f" 2>&1)"
    done
    check_match "prints the client certificate path" "client certificate: $WO_DIR/$CLI.crt" "$OUT"
    check_match "prints the passphrase file" "passphrase in $WO_DIR/$CLI.pass" "$OUT"
    check_cmd "the .enc.pem opens with the .pass" \
        openssl pkey -in "$WO_DIR/$CLI.enc.pem" -passin "file:$WO_DIR/$CLI.pass" -noout
    check_cmd "server files of the earlier install stay" test -f "$WO_DIR/$SRV.crt" -a -f "$WO_DIR/$SRV.pem"

    # Refusals: each named, nothing placed, conf and restarts untouched.
    ctl "$MEMBER" issue-server-cert -c revoked-server --validity-days 100
    ctl "$MEMBER" revoke 4
    ctl "$MEMBER" issue-server-cert -c tampered-server --validity-days 100
    sqlite3 "$CASE_DIR/state/index.sqlite" \
        "UPDATE key_material SET key_pem = (SELECT key_pem FROM key_material WHERE issue_number = 3) WHERE issue_number = 5"
    before=$(dir_digest "$WO_DIR")
    local id want name
    while IFS='|' read -r cmd id want name; do
        ctl "$MEMBER" "$cmd" "$id"
        check "$cmd $id refused (exit 7)" 7 "$RC"
        check_match "…$name" "$want" "$ERR"
    done <<'REFUSALS'
install-server-cert|3|client certificate, not a server certificate|a client certificate is not a server certificate
install-client-cert|2|server certificate, not a client certificate|a server certificate is not a client certificate
install-server-cert|4|was revoked on|revoked
install-server-cert|5|does not belong to it|key does not match
install-server-cert|1|ca certificate, not a server certificate|the CA itself
REFUSALS
    ctl "$MEMBER" install-server-cert 99
    check "unknown id: exit 4" 4 "$RC"
    raw "$MEMBER" InstallServerCert 'sa{sv}' '["2", {"restart": false}]'
    check "raw unknown option → InvalidArgument" jp.or.med.orca.CaTool1.Error.InvalidArgument "$(raw_result)"
    raw "$MEMBER" InstallServerCert 'sa{sv}' '["3", {}]'
    check "raw client cert → WrongKind" jp.or.med.orca.CaTool1.Error.WrongKind "$(raw_result)"
    raw "$MEMBER" InstallServerCert 'sa{sv}' '["4", {}]'
    check "raw revoked → CertificateRevoked" jp.or.med.orca.CaTool1.Error.CertificateRevoked "$(raw_result)"
    raw "$MEMBER" InstallServerCert 'sa{sv}' '["5", {}]'
    check "raw tampered key → KeyMismatch" jp.or.med.orca.CaTool1.Error.KeyMismatch "$(raw_result)"
    local many
    many=$(seq 65 | awk 'BEGIN{printf "["} {printf "%s\"h%d\"", (NR>1?",":""), $1} END{printf "]"}')
    while IFS='|' read -r name want m sig args; do
        raw "$MEMBER" "$m" "$sig" "$args"
        check "raw $name → $want" "jp.or.med.orca.CaTool1.Error.$want" "$(raw_result)"
    done <<CALLS
bad id|InvalidArgument|InstallServerCert|sa{sv}|["../2", {}]
no_restart not a boolean|InvalidArgument|InstallServerCert|sa{sv}|["2", {"no_restart": "yes"}]
option for the server only|InvalidArgument|InstallClientCert|sa{sv}|["3", {"create": true}]
hosts not an array|InvalidArgument|Diagnose|a{sv}|[{"hosts": "weborca-server"}]
a host with a slash|InvalidArgument|Diagnose|a{sv}|[{"hosts": ["a/b"]}]
65 hosts|InvalidArgument|Diagnose|a{sv}|[{"hosts": $many}]
CALLS
    check "refusals changed nothing in the WebORCA directory" "$before" "$(dir_digest "$WO_DIR")"
    check "refusals requested no restart" 2 "$(restarts)"
    fake_systemd_stop
    stop_cad; check "daemon exits 0" 0 "$CAD_RC"
}

# What goes wrong around the installation: every failure names the problem,
# and the files already placed stay.
case_weborca_failures() {
    local before
    wo_case weborca_failures
    wo_setup || return
    fake_systemd "$WO_UNIT failed"
    ctl "$MEMBER" install-server-cert 2
    check "failed restart: exit 11" 11 "$RC"
    check_match "…says it failed and where to look" "ended with \"failed\".*systemctl status $WO_UNIT" "$ERR"
    check_match "…names the backup" "jma-receipt.conf.[0-9-]*.bak" "$ERR"
    check_cmd "…files stay" test -f "$WO_DIR/$SRV.crt" -a -f "$WO_DIR/$SRV.pem" -a -f "$WO_DIR/ca.crt"
    check "…conf was edited" "$WO_DIR/$SRV.pem" "$(bash -c ". '$WO_CONF'; echo \$SERVER_PEM")"
    raw "$MEMBER" InstallServerCert 'sa{sv}' '["2", {}]'
    check "…raw: RestartFailed" jp.or.med.orca.CaTool1.Error.RestartFailed "$(raw_result)"

    fake_systemd "other.service done"
    ctl "$MEMBER" install-server-cert 2
    check "no such unit: exit 11" 11 "$RC"
    check_match "…names the unit and the next step" "systemd has no unit $WO_UNIT.*restart it by hand" "$ERR"
    raw "$MEMBER" InstallServerCert 'sa{sv}' '["2", {}]'
    check "…raw: NoSuchUnit" jp.or.med.orca.CaTool1.Error.NoSuchUnit "$(raw_result)"
    check_cmd "…files stay" test -f "$WO_DIR/$SRV.crt"

    fake_systemd_stop
    ctl "$MEMBER" install-server-cert 2
    check "systemd not there: exit 11" 11 "$RC"
    check_match "…says to restart by hand" "sudo systemctl restart $WO_UNIT" "$ERR"

    # No jma-receipt.conf: WebORCA does not look installed; nothing placed.
    rm -rf "$WO_DIR"; mkdir -p "$WO_DIR"
    ctl "$MEMBER" install-server-cert 2 --no-restart
    check "missing conf: exit 11" 11 "$RC"
    check_match "…does not look installed" "does not look installed" "$ERR"
    check "…nothing placed" "" "$(ls -A "$WO_DIR")"
    raw "$MEMBER" InstallServerCert 'sa{sv}' '["2", {"no_restart": true}]'
    check "…raw: WebOrcaNotInstalled" jp.or.med.orca.CaTool1.Error.WebOrcaNotInstalled "$(raw_result)"
    ctl "$MEMBER" --json install-server-cert 2 --no-restart --create
    check "--create writes a new conf" 0 "$RC"
    jcheck "…conf_created" true .conf_created
    check "…with the three settings" "$WO_DIR/$SRV.crt $WO_DIR/$SRV.pem $WO_DIR/ca.crt" \
        "$(bash -c ". '$WO_CONF'; echo \$SERVER_CRT \$SERVER_PEM \$CA_CRT")"
    rm "$WO_CONF"; printf 'A=1\n' > "$CASE_DIR/elsewhere.conf"; ln -s "$CASE_DIR/elsewhere.conf" "$WO_CONF"
    before=$(dir_digest "$WO_DIR")
    ctl "$MEMBER" install-server-cert 2 --no-restart
    check "jma-receipt.conf as a symbolic link: refused" 1 "$RC"
    check_match "…saying so" "symbolic link" "$ERR"
    check "…nothing written" "$before" "$(dir_digest "$WO_DIR")"
    check "…its target untouched" "A=1" "$(cat "$CASE_DIR/elsewhere.conf")"
    rm -rf "$WO_DIR"
    ctl "$MEMBER" install-server-cert 2 --no-restart --create
    check "missing directory: exit 11 even with --create" 11 "$RC"
    check_match "…names it" "$WO_DIR does not exist" "$ERR"
    stop_cad

    # The configured WebORCA user does not exist.
    sed -i 's/^weborca_user = .*/weborca_user = "orcae2e-nosuchuser"/' "$CASE_DIR/orca-cad.toml"
    mkdir -p "$WO_DIR"; realistic_conf > "$WO_CONF"
    start_cad "$CASE_DIR" || { fail "daemon restarts"; return; }
    ctl "$MEMBER" install-server-cert 2 --no-restart
    check "unknown WebORCA user: exit 11" 11 "$RC"
    check_match "…names the user and the setting" "orcae2e-nosuchuser.*weborca_user" "$ERR"
    check "…nothing placed" "jma-receipt.conf" "$(ls -A "$WO_DIR")"
    stop_cad; check "daemon exits 0" 0 "$CAD_RC"
}

# start_cad_later DAYS: orca-cad whose clock runs DAYS ahead (libfaketime
# preloaded into orca-cad alone), to meet certificates that have expired.
start_cad_later() {
    local lib
    lib=$(find /usr/lib -name 'libfaketimeMT.so.1' 2>/dev/null | head -1)
    [ -n "$lib" ] || { fail "libfaketime is installed (package faketime)"; return 1; }
    CAD_LOG=$CASE_DIR/cad.log
    LD_PRELOAD=$lib FAKETIME="+${1}d" "$BIN/orca-cad" --config "$CASE_DIR/orca-cad.toml" \
        --state-dir "$CASE_DIR/state" --weborca-dir "$WO_DIR" --idle-timeout 0 >>"$CAD_LOG" 2>&1 &
    CAD_PID=$!
    local i
    for i in $(seq 100); do
        busctl --system status jp.or.med.orca.CaTool1 >/dev/null 2>&1 && return 0
        kill -0 "$CAD_PID" 2>/dev/null || break
        sleep 0.1
    done
    fail "orca-cad starts with its clock moved" "$(tail -3 "$CAD_LOG")"; return 1
}

# Certificates that have expired by the daemon's clock: refused, and
# doctor says so (WebORCA-Server logs "will be expired in -1 days").
case_weborca_expired() {
    wo_case weborca_expired
    wo_setup || return
    ctl "$MEMBER" install-server-cert 2 --no-restart
    check "setup: install 000002 (825 days)" 0 "$RC"
    stop_cad
    local before
    before=$(dir_digest "$WO_DIR")
    start_cad_later 900 || return
    ctl "$MEMBER" install-server-cert 2 --no-restart
    check "expired server certificate refused (exit 7)" 7 "$RC"
    check_match "…saying it expired" "000002 expired on" "$ERR"
    raw "$MEMBER" InstallServerCert 'sa{sv}' '["2", {"no_restart": true}]'
    check "…raw: CertificateExpired" jp.or.med.orca.CaTool1.Error.CertificateExpired "$(raw_result)"
    check "…nothing changed in the WebORCA directory" "$before" "$(dir_digest "$WO_DIR")"
    ctl "$MEMBER" --json doctor --host 127.0.0.1
    check "doctor: exit 12" 12 "$RC"
    check "…server_cert_expiry error" error "$(doctor_status server_cert_expiry)"
    check "…the stale CRL is an error too" error "$(doctor_status crl)"
    stop_cad
    start_cad_later 800 || return
    ctl "$MEMBER" --json doctor --host 127.0.0.1
    check "25 days before the end: server_cert_expiry warning" warning "$(doctor_status server_cert_expiry)"
    check_match "…as WebORCA-Server warns from 31 days" "in 2[0-9] days.*31 days" \
        "$(json '.checks[] | select(.id == "server_cert_expiry") | .found')"
    stop_cad; check "daemon exits 0" 0 "$CAD_RC"
}

# doctor on a good setup, then on each broken one the ORCA page lists.
case_weborca_doctor() {
    wo_case weborca_doctor
    wo_setup || return
    ctl "$MEMBER" install-server-cert 2 --no-restart
    check "setup: install 000002" 0 "$RC"
    local hosts=(--host 127.0.0.1 --host weborca-server)
    fake_systemd "$WO_UNIT done active"

    ctl "$MEMBER" --json doctor "${hosts[@]}"
    check "good setup: exit 0" 0 "$RC"
    jcheck "…no errors" 0 .errors
    jcheck "…no warnings" 0 .warnings
    check "…every check ok" \
        "weborca_user:ok conf_file:ok server_crt:ok server_pem:ok server_key_encrypted:ok ca_crt:ok key_matches_cert:ok issued_by_ca_crt:ok hosts_in_san:ok server_cert_expiry:ok server_cert_lifetime:ok ca_crt_is_ours:ok ca_expiry:ok client_cert_expiry:ok crl:ok crl_enforcement:ok weborca_unit:ok" \
        "$(json '[.checks[] | "\(.id):\(.status)"] | join(" ")')"
    ctl "$MEMBER" doctor "${hosts[@]}"
    check_match "people get a table" "^STATUS +CHECK +FOUND" "$OUT"
    check_match "…and a summary" "0 error\(s\), 0 warning\(s\)" "$OUT"
    ctl "$OTHER" doctor "${hosts[@]}"
    check "outsider: doctor refused (exit 3)" 3 "$RC"

    # WebORCA-Server's unit as systemd sees it.
    fake_systemd "$WO_UNIT done failed"
    ctl "$MEMBER" --json doctor "${hosts[@]}"
    check "unit failed: exit 12" 12 "$RC"
    check "…weborca_unit error" error "$(doctor_status weborca_unit)"
    check_match "…points at WebORCA's log" "has failed.*jma-receipt-weborca.log" \
        "$(json '.checks[] | select(.id == "weborca_unit") | .found + " " + .fix')"
    fake_systemd "other.service done"
    ctl "$MEMBER" --json doctor "${hosts[@]}"
    check "no such unit: weborca_unit error" error "$(doctor_status weborca_unit)"
    check_match "…says so" "no usable unit $WO_UNIT \\(load state: not-found\\)" \
        "$(json '.checks[] | select(.id == "weborca_unit") | .found')"
    fake_systemd_stop
    ctl "$MEMBER" --json doctor "${hosts[@]}"
    check "systemd not reachable: exit 0, weborca_unit only a warning" "0 warning" "$RC $(doctor_status weborca_unit)"
    fake_systemd "$WO_UNIT done active"

    local name
    name=$(hostname | tr 'A-Z' 'a-z')
    ctl "$MEMBER" --json doctor
    check "default hosts: this machine's name is not in the certificate (exit 12)" 12 "$RC"
    check_match "…hosts_in_san names it" "$name" "$(json '.checks[] | select(.id == "hosts_in_san") | .found')"

    ctl "$MEMBER" --json doctor --host other.example
    check "host not in SAN: exit 12" 12 "$RC"
    check "…hosts_in_san error" error "$(doctor_status hosts_in_san)"
    check_match "…says which" "not for other.example" "$(json '.checks[] | select(.id == "hosts_in_san") | .found')"
    ctl "$MEMBER" doctor --host other.example
    check_match "…and the fix for people" "fix: issue a server certificate with every name" "$OUT"
    ctl "$MEMBER" doctor --host bad_name
    check "a host name with _ is an invalid argument (exit 7)" 7 "$RC"

    local S=$WO_DIR/$SRV keep=$CASE_DIR/keep
    mkdir -p "$keep"; cp -a "$S.crt" "$S.pem" "$WO_DIR/ca.crt" "$keep/"
    restore() { cp -a "$keep/$SRV.crt" "$keep/$SRV.pem" "$keep/ca.crt" "$WO_DIR/"; }
    # broken setup | check that must say error | what it must say
    broken() {
        ctl "$MEMBER" --json doctor "${hosts[@]}"
        check "$1: exit 12" 12 "$RC"
        check "$1: $2 is an error" error "$(doctor_status "$2")"
        check_match "$1: $2 says so" "$3" "$(json ".checks[] | select(.id == \"$2\") | .found + \" \" + .fix")"
        restore
    }
    rm "$S.pem"
    broken "server key deleted" server_pem "does not exist"
    openssl pkey -in "$keep/$SRV.pem" -aes256 -passout pass:secret -out "$S.pem"
    broken "encrypted server key" server_key_encrypted "PASSWORD input was canceled"
    (cd "$CASE_DIR" && unzip -qo "$CLIENT_ZIP")
    cp "$CASE_DIR/$CLI/$CLI.pem" "$S.pem"
    broken "another certificate's key" key_matches_cert "not the key of SERVER_CRT"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$CASE_DIR/other-ca.key" \
        -out "$WO_DIR/ca.crt" -subj "/C=JP/O=other/CN=Other CA" -days 30 2>/dev/null
    broken "CA_CRT of another CA" ca_crt_is_ours "not this CA"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$CASE_DIR/other-ca.key" \
        -out "$WO_DIR/ca.crt" -subj "/C=JP/O=other/CN=Other CA" -days 30 2>/dev/null
    broken "server certificate not from CA_CRT" issued_by_ca_crt "was issued by /C=JP/O=orca/CN=E2E WebORCA CA"
    chown root:root "$S.crt"; chmod 0600 "$S.crt"
    broken "certificate unreadable by WebORCA's user" server_crt "so WebORCA's user $WO_USER cannot read it.*chown $WO_USER:$WO_USER"
    cp "$WO_CONF" "$CASE_DIR/conf.keep"
    sed -i '/^CA_CRT=/d' "$WO_CONF"
    broken "CA_CRT not set" ca_crt "CA_CRT is not set"
    cp "$CASE_DIR/conf.keep" "$WO_CONF"

    # An expired server certificate of this CA, signed by OpenSSL with the
    # CA key in a past made by faketime.
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$CASE_DIR/old.key" \
        -out "$CASE_DIR/old.csr" -subj "/C=JP/O=orca/CN=weborca-server" 2>/dev/null
    printf 'subjectAltName=DNS:weborca-server,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$CASE_DIR/old.ext"
    if faketime '2020-01-01 00:00:00' openssl x509 -req -in "$CASE_DIR/old.csr" -CA "$CASE_DIR/state/ca.crt" \
        -CAkey "$CASE_DIR/state/ca.key" -set_serial 7 -days 30 -extfile "$CASE_DIR/old.ext" -out "$S.crt" 2>"$CASE_DIR/faketime.err"; then
        cp "$CASE_DIR/old.key" "$S.pem"
        broken "expired server certificate" server_cert_expiry "expired on 2020-01-31"
    else
        fail "make an expired certificate with faketime" "$(cat "$CASE_DIR/faketime.err")"
    fi

    # A server certificate over 825 days: warning, not an error.
    ctl "$MEMBER" issue-server-cert -i 127.0.0.1 -c weborca-server
    ctl "$MEMBER" install-server-cert 4 --no-restart
    ctl "$MEMBER" --json doctor "${hosts[@]}"
    check "3650-day server certificate: exit 0" 0 "$RC"
    check "…server_cert_lifetime warning" warning "$(doctor_status server_cert_lifetime)"
    check_match "…names Apple's limit" "825" "$(json '.checks[] | select(.id == "server_cert_lifetime") | .found')"

    # A revoked client certificate still within validity: revocation alone
    # does not lock it out of WebORCA-Server.
    ctl "$MEMBER" revoke 3
    ctl "$MEMBER" --json doctor "${hosts[@]}"
    check "…crl_enforcement warning after a revocation" warning "$(doctor_status crl_enforcement)"
    check_match "…says WebORCA-Server does not check CRLs" "000003 user1.*not known to check CRLs" \
        "$(json '.checks[] | select(.id == "crl_enforcement") | .found')"

    # No conf at all.
    mv "$WO_CONF" "$CASE_DIR/conf.moved"
    ctl "$MEMBER" --json doctor "${hosts[@]}"
    check "conf missing: conf_file error" error "$(doctor_status conf_file)"
    check_match "…WebORCA does not look installed" "does not look installed" \
        "$(json '.checks[] | select(.id == "conf_file") | .found')"
    stop_cad; check "daemon exits 0" 0 "$CAD_RC"
}

# free_port: a TCP port nobody listens on, on 127.0.0.1.
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
    local i
    for i in $(seq 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
# tls_server PORT ARGS...: openssl s_server with the placed files.
tls_server() {
    local port=$1; shift
    openssl s_server -accept "127.0.0.1:$port" -cert "$WO_DIR/$SRV.crt" -key "$WO_DIR/$SRV.pem" \
        -CAfile "$WO_DIR/ca.crt" -www -quiet "$@" >>"$CASE_DIR/s_server.log" 2>&1 &
    SERVER_PID=$!
    wait_port "$port" || fail "openssl s_server listens on $port" "$(tail -3 "$CASE_DIR/s_server.log")"
}
stop_server() { [ -n "${SERVER_PID:-}" ] && { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; }; SERVER_PID=""; }

# doctor --probe against real TLS servers on 127.0.0.1 using the placed files.
case_weborca_probe() {
    wo_case weborca_probe
    wo_setup || return
    ctl "$MEMBER" install-server-cert 2 --no-restart
    check "setup: install 000002" 0 "$RC"
    local port hosts=(--host 127.0.0.1)
    port=$(free_port)

    tls_server "$port" -Verify 1 -verify_return_error
    ctl "$MEMBER" --json doctor "${hosts[@]}" --probe "https://127.0.0.1:$port" --bundle "$CLIENT_ZIP"
    check "s_server -Verify 1 -verify_return_error, bundle zip: exit 0" 0 "$RC"
    check "…refuses a connection without client certificate (ok)" ok "$(doctor_status probe_client_auth)"
    check_match "…and names the alert" "alert" "$(json '.checks[] | select(.id == "probe_client_auth") | .found')"
    check "…server certificate verified for 127.0.0.1" ok "$(doctor_status probe_server_cert)"
    check "…handshake with the client certificate" ok "$(doctor_status probe_with_client_cert)"
    check_match "…naming it" "user1" "$(json '.checks[] | select(.id == "probe_with_client_cert") | .found')"
    ctl "$MEMBER" --json doctor "${hosts[@]}" --probe "https://127.0.0.1:$port" --bundle 3
    check "--bundle 3 (exported through orca-cad): handshake ok" ok "$(doctor_status probe_with_client_cert)"

    # A client certificate from another CA is refused by the server.
    local o=$CASE_DIR/other
    mkdir -p "$o/x"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$o/x/x.pem" \
        -out "$o/x/x.crt" -subj "/C=JP/O=other/CN=intruder" -days 30 2>/dev/null
    (cd "$o" && zip -q -r intruder.zip x)
    chmod -R a+rX "$o"; chmod a+x "$CASE_DIR"
    ctl "$MEMBER" --json doctor "${hosts[@]}" --probe "https://127.0.0.1:$port" --bundle "$o/intruder.zip"
    check "client certificate of another CA: exit 12" 12 "$RC"
    check "…probe_with_client_cert error" error "$(doctor_status probe_with_client_cert)"
    check_match "…with the alert received" "refused client certificate intruder \(.*alert" \
        "$(json '.checks[] | select(.id == "probe_with_client_cert") | .found')"

    # Host name the certificate does not carry.
    ctl "$MEMBER" --json doctor "${hosts[@]}" --probe "https://localhost:$port"
    check "connecting as localhost: server certificate does not verify" error "$(doctor_status probe_server_cert)"
    check_match "…hostname mismatch" "localhost.*mismatch" "$(json '.checks[] | select(.id == "probe_server_cert") | .found')"
    stop_server

    tls_server "$port"
    ctl "$MEMBER" --json doctor "${hosts[@]}" --probe "https://127.0.0.1:$port"
    check "s_server without -Verify: exit 12" 12 "$RC"
    check "…probe_client_auth error" error "$(doctor_status probe_client_auth)"
    check_match "…server did not ask for a client certificate" "server did not ask for a client certificate" \
        "$(json '.checks[] | select(.id == "probe_client_auth") | .found')"
    stop_server

    local web
    "$PY" -m http.server --bind 127.0.0.1 "$port" --directory "$CASE_DIR" >>"$CASE_DIR/http.log" 2>&1 &
    web=$!
    wait_port "$port" || fail "python3 -m http.server listens"
    ctl "$MEMBER" --json doctor "${hosts[@]}" --probe "https://127.0.0.1:$port"
    check "plain HTTP port: exit 12" 12 "$RC"
    check "…probe_https error" error "$(doctor_status probe_https)"
    check_match "…this port speaks HTTP — connect with https" "speaks HTTP.*connect with https" \
        "$(json '.checks[] | select(.id == "probe_https") | .found + " " + .fix')"
    kill "$web"; wait "$web" 2>/dev/null

    ctl "$MEMBER" --json doctor "${hosts[@]}" --probe "http://127.0.0.1:$port"
    check "http:// URL: probe_scheme error" error "$(doctor_status probe_scheme)"
    check "nothing listening: probe_connect error" error "$(doctor_status probe_connect)"
    ctl "$MEMBER" doctor "${hosts[@]}" --probe "ftp://127.0.0.1"
    check "a URL that is not http(s): usage error (exit 2)" 2 "$RC"
    stop_cad; check "daemon exits 0" 0 "$CAD_RC"
}

# Everything these cases start or create, for run.sh's EXIT trap.
weborca_cleanup() {
    fake_systemd_stop
    stop_server
    wo_user_del
}

WEBORCA_CASES=(weborca_install weborca_failures weborca_doctor weborca_probe weborca_expired)
