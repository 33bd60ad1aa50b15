# shellcheck shell=bash
# End-to-end cases of SignRequest / `orca-cactl sign-request`: a member of
# orca-ca makes keys and requests with `openssl req`, as a clinic's IT
# person would, and gets certificates for keys orca-cad never sees.
# Sourced by run.sh.

# csr_dir: a fresh directory the member owns, for keys and requests.
csr_dir() {
    CSR_W=$ORCA_E2E_DIR/home/$MEMBER/csr
    rm -rf "$CSR_W"
    e2e_as "$MEMBER" mkdir -p "$CSR_W"
}

# mkreq NAME ARGS...: the member runs `openssl req -new … -keyout NAME.key -out NAME.csr ARGS`.
mkreq() {
    local n=$1; shift
    e2e_as "$MEMBER" openssl req -new -nodes -keyout "$CSR_W/$n.key" -out "$CSR_W/$n.csr" "$@" \
        >/dev/null 2>&1 || fail "openssl req makes $n.csr"
}

# same_pubkey A B: the public keys `openssl … -pubkey` prints for two files.
pubkey_of() {
    case $1 in
        *.csr) openssl req -in "$1" -noout -pubkey ;;
        *.key) openssl pkey -in "$1" -pubout ;;
        *) openssl x509 -in "$1" -noout -pubkey ;;
    esac
}

# Signing: RSA 2048 server with DNS and IP names, P-256 client, DER input;
# what the certificates are, and how list, show and export see them.
case_csr_sign() {
    new_case csr_sign 'key_type = "ecdsa-p256"'
    start_cad "$CASE_DIR" || { fail "daemon starts"; return; }
    ctl root init --yes
    csr_dir
    local home=$ORCA_E2E_DIR/home/$MEMBER
    local certs=$home/certs w=$CSR_W

    # A server request that also asks to be a CA: it must not become one.
    mkreq srv -newkey rsa:2048 -subj "/O=Clinic IT/CN=weborca.clinic.example" \
        -addext "subjectAltName=DNS:weborca.clinic.example,DNS:weborca,IP:192.168.1.100" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign"
    local log=$CASE_DIR/signals.log mon i
    : > "$log"; chmod 0666 "$log"
    e2e_as_argv "$MEMBER"
    "${E2E_AS[@]}" gdbus monitor --system --dest jp.or.med.orca.CaTool1 >"$log" 2>&1 &
    mon=$!
    for i in $(seq 50); do grep -q "is owned by" "$log" && break; sleep 0.1; done
    ctl "$MEMBER" sign-request "$w/srv.csr" --profile server --validity-days 825
    check "member: sign-request --profile server (RSA 2048)" 0 "$RC"
    for i in $(seq 50); do grep -q "CertificateIssued" "$log" && break; sleep 0.1; done
    kill "$mon" 2>/dev/null; wait "$mon" 2>/dev/null
    check_match "CertificateIssued names 000002" "CertificateIssued .*'000002'" "$(cat "$log")"
    check_match "orca-cad logs it: action, caller, number, key type" \
        'certificate signed for a request action="sign-request" uid=[0-9]+ issue_number=000002 serial=[0-9A-F]{32} cn=weborca.clinic.example kind=server key_type="rsa2048"' "$(cat "$CAD_LOG")"
    check_not "…and no certificate or key material in the log" grep -q "BEGIN" "$CAD_LOG"
    local srv=$certs/000002__JP_orca_weborca.clinic.example.crt
    check "prints the certificate's path under \$HOME/certs" "$srv" "$OUT"
    check_cmd "…and it is there" test -f "$srv"
    check "certificate file is 0644" 644 "$(stat -c %a "$srv" 2>/dev/null)"
    check "…and belongs to the member" "$MEMBER" "$(stat -c %U "$srv" 2>/dev/null)"
    check "825 days: no Apple warning" "" "$ERR"
    ctl "$MEMBER" ca-cert --out "$w/ca.crt"
    local CA=$w/ca.crt
    check_cmd "openssl: server verifies (sslserver, x509_strict)" \
        openssl verify -x509_strict -purpose sslserver -CAfile "$CA" "$srv"
    local h
    for h in weborca.clinic.example weborca; do
        check_cmd "openssl: -verify_hostname $h" \
            openssl verify -x509_strict -purpose sslserver -verify_hostname "$h" -CAfile "$CA" "$srv"
    done
    check_cmd "openssl: -verify_ip 192.168.1.100" \
        openssl verify -x509_strict -purpose sslserver -verify_ip 192.168.1.100 -CAfile "$CA" "$srv"
    check_not "openssl: not valid for a name the request did not ask" \
        openssl verify -x509_strict -verify_hostname other.example -CAfile "$CA" "$srv"
    check "certificate key = request key" "$(pubkey_of "$w/srv.csr")" "$(pubkey_of "$srv")"
    check "certificate key = the key the member kept" "$(pubkey_of "$w/srv.key")" "$(pubkey_of "$srv")"
    local ext
    ext=$(openssl x509 -in "$srv" -noout -ext basicConstraints,keyUsage,extendedKeyUsage 2>&1)
    check_match "request asked CA:TRUE, certificate says CA:FALSE" "CA:FALSE" "$ext"
    check_not "…and no keyCertSign" grep -q "Certificate Sign" <<<"$ext"
    check_match "…our RSA server key usage" "Digital Signature, Key Encipherment" "$ext"
    check_match "…and EKU serverAuth" "TLS Web Server Authentication" "$ext"
    check "subject is ours, not the request's" "subject=C = JP, O = orca, CN = weborca.clinic.example" \
        "$(openssl x509 -in "$srv" -noout -subject)"

    # A P-256 client request, JSON output, an explicit --out.
    mkreq cli -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "/O=Clinic/CN=nurse-1"
    ctl "$MEMBER" --json sign-request "$w/cli.csr" --profile client --out "$w/nurse.crt"
    check "member: sign-request --profile client --out (P-256)" 0 "$RC"
    check "json: path" "$w/nurse.crt" "$(json .path)"
    check "json: issue number" 000003 "$(json .certificate.issue_number)"
    check "json: kind" client "$(json .certificate.kind)"
    check "json: common name from the request" nurse-1 "$(json .certificate.common_name)"
    check "json: key type" ecdsa-p256 "$(json .certificate.key_type)"
    check "json: no key material" false "$(json .certificate.has_key_material)"
    check "json: certificate_pem is the file written" "$(cat "$w/nurse.crt" 2>&1)" "$(json .certificate.certificate_pem | sed '/^$/d')"
    check_cmd "openssl: client verifies (sslclient, x509_strict)" \
        openssl verify -x509_strict -purpose sslclient -CAfile "$CA" "$w/nurse.crt"
    check "client key = request key" "$(pubkey_of "$w/cli.csr")" "$(pubkey_of "$w/nurse.crt")"

    # The same request in DER; the default validity warns as issue-server-cert does.
    e2e_as "$MEMBER" openssl req -in "$w/srv.csr" -outform DER -out "$w/srv.der"
    ctl "$MEMBER" sign-request "$w/srv.der" --profile server
    check "DER request accepted" 0 "$RC"
    check_match "default 3650 days: the 825-day warning on stderr" "825" "$ERR"

    # The index sees them as any certificate; exports have no key.
    ctl "$MEMBER" --json list
    check "list: CA + 3 signed" "ca server client server" "$(json '[.[].kind] | join(" ")')"
    ctl "$MEMBER" --json show 2
    check "show: names from the request's SAN" \
        "DNS:weborca.clinic.example DNS:weborca IP:192.168.1.100" "$(json '.alt_names | join(" ")')"
    check "show: key type" rsa2048 "$(json .key_type)"
    check "show: no key material" false "$(json .has_key_material)"
    ctl "$MEMBER" export 2 --out "$home/out"
    check "export 2" 0 "$RC"
    check_match "…warns that the export has no private key, and why" "no private key .*signed for a request" "$ERR"
    local zip=$home/out/000002__JP_orca_weborca.clinic.example.zip b=000002__JP_orca_weborca.clinic.example
    check "export holds only .crt and ca.crt" "$b/ $b/$b.crt $b/ca.crt" \
        "$(unzip -Z1 "$zip" 2>&1 | sort | tr '\n' ' ' | sed 's/ $//')"
    check "exported .crt is the signed certificate" "$(cat "$srv")" "$(unzip -p "$zip" "$b/$b.crt" 2>&1)"

    # Never over an existing file: refused before anything is signed.
    local before
    before=$(state_digest "$CASE_DIR")
    ctl "$MEMBER" sign-request "$w/cli.csr" --profile client --out "$w/nurse.crt"
    check "--out onto an existing file: exit 9" 9 "$RC"
    check_match "…naming the file" "nurse.crt already exists" "$ERR"
    check "…nothing signed" "$before" "$(state_digest "$CASE_DIR")"
    stop_cad; check "daemon exits 0" 0 "$CAD_RC"
}

# Refusals: each a named InvalidArgument (exit 7), nothing written; an
# outsider is refused; raw calls orca-cactl would never send.
case_csr_refusals() {
    new_case csr_refusals 'key_type = "ecdsa-p256"'
    start_cad "$CASE_DIR" || { fail "daemon starts"; return; }
    ctl root init --yes
    csr_dir
    local w=$CSR_W certs=$ORCA_E2E_DIR/home/$MEMBER/certs
    mkreq good -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "/CN=weborca" -addext "subjectAltName=DNS:weborca"
    mkreq rsa1024 -newkey rsa:1024 -subj "/CN=weborca"
    mkreq p384 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -subj "/CN=weborca"
    mkreq dashcn -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "/CN=-rf"
    mkreq spacecn -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "/CN=Nurse One"
    mkreq nonames -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "/O=Clinic"
    mkreq badhost -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "/CN=x" -addext "subjectAltName=DNS:bad_host!"
    mkreq email -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "/CN=x" \
        -addext "subjectAltName=DNS:weborca,email:it@clinic.example"
    # Altered after signing: one letter of the name changed in the DER.
    e2e_as "$MEMBER" openssl req -in "$w/good.csr" -outform DER -out "$w/good.der"
    "$PY" -c 'import sys; d=open(sys.argv[1],"rb").read(); open(sys.argv[2],"wb").write(d.replace(b"weborca", b"weborcb", 1))' \
        "$w/good.der" "$w/tampered.der"
    printf 'hello\n' > "$w/garbage.csr"; : > "$w/empty.csr"
    chmod 0644 "$w/tampered.der" "$w/garbage.csr" "$w/empty.csr"

    local before
    before=$(state_digest "$CASE_DIR")
    local name file profile want extra
    while IFS='|' read -r name file profile want extra; do
        # shellcheck disable=SC2086
        ctl "$MEMBER" sign-request "$w/$file" --profile "$profile" $extra
        check "$name: exit 7" 7 "$RC"
        check_match "…says why" "$want" "$ERR"
    done <<'BAD'
altered request|tampered.der|server|signature does not verify
RSA 1024 key|rsa1024.csr|server|key is RSA 1024; orca-cad signs only RSA 2048, RSA 3072, RSA 4096 and ECDSA P-256
P-384 key|p384.csr|server|key is EC secp384r1
client CN starting with -|dashcn.csr|client|common name starts with '-'
client CN with a space|spacecn.csr|client|common name has ' ' at position 6
client request without CN|nonames.csr|client|0 common names
server request without names|nonames.csr|server|names no host
invalid host in SAN|badhost.csr|server|host name "bad_host!" is not valid
e-mail in SAN|email.csr|server|asks for the name .*it@clinic.example
not a request|garbage.csr|server|not a certificate signing request
empty file|empty.csr|server|empty
validity 0 days|good.csr|server|out of range|--validity-days 0
validity past the CA|good.csr|server|outlive the CA|--validity-days 36500
BAD
    ctl "$MEMBER" sign-request "$w/good.csr" --profile ca
    check "unknown profile: usage (exit 2)" 2 "$RC"
    ctl "$MEMBER" sign-request "$w/missing.csr" --profile server
    check "missing file: usage (exit 2)" 2 "$RC"
    check_match "…naming the file" "missing.csr" "$ERR"
    check "no certificate written by any refusal" 0 "$(find "$certs" -type f 2>/dev/null | wc -l)"
    check "index, counters, CRL and state files unchanged" "$before" "$(state_digest "$CASE_DIR")"

    # Someone outside orca-ca, without a terminal.
    local other_w=$ORCA_E2E_DIR/home/$OTHER
    cp "$w/good.csr" "$other_w/good.csr"; chmod 0644 "$other_w/good.csr"
    ctl "$OTHER" sign-request "$other_w/good.csr" --profile server
    check "outsider: refused (exit 3)" 3 "$RC"
    check_match "…naming the orca-ca group" "orca-ca" "$ERR"
    check "outsider got no certificate" 0 "$(find "$other_w" -name '*.crt' | wc -l)"
    check "…and nothing changed" "$before" "$(state_digest "$CASE_DIR")"

    # Raw calls. The size limit holds before authorization, for anyone.
    local big=$CASE_DIR/big.json
    "$PY" -c 'import json,sys; json.dump([[65]*1048576, "server", {}], open(sys.argv[1],"w"))' "$big"
    chmod 0644 "$big"; chmod 0755 "$CASE_DIR"
    raw "$MEMBER" SignRequest 'aysa{sv}' "@$big"
    check "raw: 1 MB CSR → InvalidArgument" jp.or.med.orca.CaTool1.Error.InvalidArgument "$(raw_result)"
    check_match "…naming the limit" "at most 65536" "$RAW"
    if daemon_alive; then pass "…daemon still serving"; else fail "…daemon still serving"; fi
    raw "$OTHER" SignRequest 'aysa{sv}' "@$big"
    check "raw: 1 MB CSR from an outsider → InvalidArgument before polkit" \
        jp.or.med.orca.CaTool1.Error.InvalidArgument "$(raw_result)"
    local m name want args
    while IFS='|' read -r name want args; do
        raw "$MEMBER" SignRequest 'aysa{sv}' "$args"
        check "raw: $name → $want" "$want" "$(raw_result)"
    done <<'CALLS'
empty CSR|jp.or.med.orca.CaTool1.Error.InvalidArgument|[[], "server", {}]
profile ca|jp.or.med.orca.CaTool1.Error.InvalidArgument|[[48, 0], "ca", {}]
unknown option|jp.or.med.orca.CaTool1.Error.InvalidArgument|[[48, 0], "server", {"hosts": "x"}]
option of the wrong type|jp.or.med.orca.CaTool1.Error.InvalidArgument|[[48, 0], "server", {"validity_days": "ten"}]
garbage CSR|jp.or.med.orca.CaTool1.Error.InvalidArgument|[[48, 0], "server", {}]
CALLS
    if daemon_alive; then pass "daemon still serving after all of them"; else fail "daemon still serving after all of them"; fi
    check "nothing changed by any raw call" "$before" "$(state_digest "$CASE_DIR")"
    stop_cad; check "daemon exits 0" 0 "$CAD_RC"
}

CSR_CASES=(csr_sign csr_refusals)
