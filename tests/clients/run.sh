#!/usr/bin/env bash
# Real clients against what the real orca-cad issues: TLS servers
# (openssl s_server with -crl_check, nginx with ssl_crl) that demand a client
# certificate, and clients nobody on the team wrote: curl, gnutls-cli,
# openssl s_client, NSS's tools, headless Chromium, pkilint.
#
# usage: tests/clients/run.sh [CASE...]     (default: every case)
set -uo pipefail
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "clients/run.sh: needs root"; exit 2; }
# A missing client is a failure, never a skip: install-deps.sh provides them.
for tool in jq openssl unzip sqlite3 setpriv busctl curl gnutls-cli certutil pk12util crlutil \
    chromium nginx faketime "$PKILINT_VENV/bin/lint_pkix_cert"; do
    command -v "$tool" >/dev/null || { echo "clients/run.sh: $tool is missing (tests/install-deps.sh installs it)"; exit 2; }
done

# ------------------------------------------------------------------ cases

# Every TLS client, for each CA key type and p12 profile, against
# openssl s_server that verifies the client and checks our CRL.
tls_matrix() {  # tls_matrix KEY_TYPE P12_PROFILE
    local kt=$1 prof=$2
    new_case "$3" "p12_profile = \"$prof\""
    start_cad "$CASE_DIR" || { fail "daemon starts"; return; }
    make_pki "$kt" || { fail "CA, server, client and revoked client issued" "$ERR"; return; }
    pass "CA ($kt), server, client and revoked client issued; CRL fetched"
    local p12type
    p12type=$(openssl pkcs12 -in "$U.p12" -passin "file:$U.pass" -noout -info 2>&1 | grep -m1 -o 'AES-256-CBC\|3DES\|pbeWithSHA1And3-KeyTripleDES-CBC' || true)
    if [ "$prof" = modern ]; then check "p12 ($prof) uses AES-256-CBC" AES-256-CBC "$p12type"
    else check_match "p12 ($prof) uses 3DES" "3DES|TripleDES" "$p12type"; fi

    start_s_server "$CASE_DIR" || { fail "openssl s_server starts"; return; }
    local url=https://127.0.0.1:$PORT/ want="CN ?= ?user1"
    check_match "curl .crt + .pem: page shows our CN" "$want" \
        "$(curl -sS --max-time 20 --cacert "$CA" --cert "$U.crt" --key "$U.pem" "$url" 2>&1)"
    check_match "curl .crt + .enc.pem + passphrase" "$want" \
        "$(curl -sS --max-time 20 --cacert "$CA" --cert "$U.crt" --key "$U.enc.pem" --pass "$(cat "$U.pass")" "$url" 2>&1)"
    check_match "curl --cert-type P12 ($prof)" "$want" \
        "$(curl -sS --max-time 20 --cacert "$CA" --cert-type P12 --cert "$U.p12:$(cat "$U.pass")" "$url" 2>&1)"
    check_not "curl refuses .enc.pem with a wrong passphrase" \
        curl -sS --max-time 20 --cacert "$CA" --cert "$U.crt" --key "$U.enc.pem" --pass wrongwrongwrong1 "$url"
    local out
    out=$(curl -sS --max-time 20 --cacert "$CA" --cert "$R.crt" --key "$R.pem" "$url" 2>&1)
    check_not_match "curl: revoked client gets no page" "CN ?= ?revoked1" "$out"
    check_match "…refused by the server's CRL check (alert certificate revoked)" "certificate revoked" "$out"
    check_not "curl: no client certificate, no page" curl -sSf --max-time 20 --cacert "$CA" "$url"
    check_match "curl verifies the server by hostname localhost" "$want" \
        "$(curl -sS --max-time 20 --cacert "$CA" --cert "$U.crt" --key "$U.pem" --resolve "localhost:$PORT:127.0.0.1" "https://localhost:$PORT/" 2>&1)"

    local tls
    for tls in tls1_2 tls1_3; do
        check_match "openssl s_client -$tls: page shows our CN" "$want" \
            "$(s_client_get "-$tls" -cert "$U.crt" -key "$U.pem")"
        check_match "openssl s_client -$tls: negotiated $tls" "Protocol *: *TLSv1\.${tls#tls1_}" \
            "$(s_client_get "-$tls" -cert "$U.crt" -key "$U.pem")"
        out=$(s_client_get "-$tls" -cert "$R.crt" -key "$R.pem")
        check_not_match "openssl s_client -$tls: revoked client gets no page" "CN ?= ?revoked1" "$out"
        check_match "…alert certificate revoked" "alert certificate revoked" "$out"
    done
    check_match "gnutls-cli: page shows our CN" "$want" \
        "$(gnutls_get --x509certfile "$U.crt" --x509keyfile "$U.pem")"
    out=$(gnutls_get --x509certfile "$R.crt" --x509keyfile "$R.pem")
    check_not_match "gnutls-cli: revoked client gets no page" "CN ?= ?revoked1" "$out"
    check_match "…alert 44, certificate revoked" "alert \\[44\\]" "$out"
    stop_bg

    nss_checks
    stop_cad; check "daemon exits 0" 0 "$CAD_RC"
}
case_tls_rsa_compat() { tls_matrix rsa2048 compat tls_rsa_compat; }
case_tls_rsa_modern() { tls_matrix rsa2048 modern tls_rsa_modern; }
case_tls_p256_compat() { tls_matrix ecdsa-p256 compat tls_p256_compat; }
case_tls_p256_modern() { tls_matrix ecdsa-p256 modern tls_p256_modern; }

# NSS, which Chromium and Firefox use on Linux: import, trust, verify, CRL.
nss_checks() {
    local db=$CASE_DIR/nssdb
    rm -rf "$db"; mkdir -p "$db"
    certutil -N -d "sql:$db" --empty-password
    printf 'wrongwrongwrong1\n' > "$CASE_DIR/wrong.pass"
    check_not "pk12util refuses the p12 with a wrong passphrase" \
        pk12util -i "$U.p12" -d "sql:$db" -w "$CASE_DIR/wrong.pass" -K ''
    check "…and imported nothing" 0 "$(certutil -L -d "sql:$db" | grep -c user1)"
    check_cmd "pk12util imports the p12 with its .pass" pk12util -i "$U.p12" -d "sql:$db" -w "$U.pass" -K ''
    check_cmd "pk12util imports the revoked client's p12" pk12util -i "$R.p12" -d "sql:$db" -w "$R.pass" -K ''
    check_match "the key is there under the friendly name (CN)" "user1" "$(certutil -K -d "sql:$db" 2>&1)"
    check_cmd "certutil -A trusts ca.crt" certutil -A -d "sql:$db" -n orca-test-ca -t CT,C,C -i "$CA"
    check_cmd "certutil -A adds the server certificate" certutil -A -d "sql:$db" -n server -t ,, -i "$S.crt"
    check_match "certutil -V -u C: client is valid" "certificate is valid" \
        "$(certutil -V -d "sql:$db" -n user1 -u C 2>&1)"
    check_match "certutil -V -u V: server is valid" "certificate is valid" \
        "$(certutil -V -d "sql:$db" -n server -u V 2>&1)"
    check_not_match "certutil -V -u V: a client certificate is no server" "certificate is valid" \
        "$(certutil -V -d "sql:$db" -n user1 -u V 2>&1)"
    check_match "before the CRL: revoked client still valid to NSS" "certificate is valid" \
        "$(certutil -V -d "sql:$db" -n revoked1 -u C 2>&1)"
    check_cmd "crlutil imports our CRL (DER)" crlutil -I -d "sql:$db" -t 1 -i "$CRL_DER"
    check_match "after crlutil: revoked client reported revoked" "revoked" \
        "$(certutil -V -d "sql:$db" -n revoked1 -u C 2>&1)"
    check_match "after crlutil: good client still valid" "certificate is valid" \
        "$(certutil -V -d "sql:$db" -n user1 -u C 2>&1)"
}

# Headless Chromium, certificate chosen by policy from an NSS database, against
# nginx (ssl_verify_client on + ssl_crl) and openssl s_server -crl_check.
case_chromium() {
    new_case chromium 'p12_profile = "compat"'
    # The expired certificate is issued by the real daemon running 30 days in
    # the past (libfaketime); everything else at the real time.
    FAKE_PAST="-30d" start_cad_faked "$CASE_DIR" || { fail "daemon starts 30 days in the past"; return; }
    ctl root init --yes --key-type rsa2048 --ca-name "Clinic CA"
    check "init (30 days ago)" 0 "$RC"
    ctl root issue-client-cert -c expired1 --validity-days 1 --out "$CASE_DIR/zips"
    check "client with 1 day validity, issued 30 days ago" 0 "$RC"
    stop_cad
    start_cad "$CASE_DIR" || { fail "daemon starts"; return; }
    make_pki_on_existing_ca || { fail "server, client, revoked client issued" "$ERR"; return; }
    local E
    E=$(bundle expired1) || { fail "expired1 bundle"; return; }
    check_match "expired1 is past notAfter" "will expire" \
        "$(openssl x509 -in "$E.crt" -noout -checkend 0 2>&1)"

    # A foreign CA with the very same name: what a re-created CA looks like.
    local fdir=$CASE_DIR/foreign
    mkdir -p "$fdir"; : > "$fdir/orca-cad.toml"
    stop_cad
    start_cad "$fdir" || { fail "foreign daemon starts"; return; }
    ctl root init --yes --key-type rsa2048 --ca-name "Clinic CA"
    ctl root issue-client-cert -c foreign1 --out "$CASE_DIR/zips"
    check "foreign CA (same name) issues foreign1" 0 "$RC"
    stop_cad
    local F
    F=$(bundle foreign1) || { fail "foreign1 bundle"; return; }
    check "foreign CA has our CA's subject" "$(openssl x509 -in "$CA" -noout -subject)" \
        "$(openssl x509 -in "$(dirname "$F")/ca.crt" -noout -subject)"

    install_chromium_policy || { fail "managed policy installed"; return; }
    start_nginx "$CASE_DIR" || { fail "nginx starts"; return; }
    local ng=https://127.0.0.1:$NGINX_PORT/
    start_s_server "$CASE_DIR" || { fail "openssl s_server starts"; return; }
    local ss=https://127.0.0.1:$PORT/
    policy_urls "$ng" "$ss"

    local who stem srv url dom
    for who in user1 revoked1 expired1 foreign1; do
        case $who in user1) stem=$U ;; revoked1) stem=$R ;; expired1) stem=$E ;; foreign1) stem=$F ;; esac
        new_browser_home "$stem"
        for srv in nginx s_server; do
            if [ "$srv" = nginx ]; then url=$ng; else url=$ss; fi
            CHROMIUM_LOG=$CASE_DIR/chromium-$who-$srv.log
            dom=$(chromium_dom "$url")
            printf '%s\n' "$dom" > "$CASE_DIR/dom-$who-$srv.html"
            if [ "$who" = user1 ]; then
                check_match "chromium + $srv: $who sees the page with its CN" "authenticated as .*CN ?= ?user1|Client certificate" "$dom"
                check_match "chromium + $srv: …and the page names CN=user1" "CN ?= ?user1" "$dom"
            else
                check_not_match "chromium + $srv: $who does not get the page" "authenticated as|CN ?= ?$who" "$dom"
                if [ "$srv" = nginx ]; then
                    # nginx answers 400 to a bad certificate: proves the browser
                    # reached the server and presented something.
                    check_match "chromium + nginx: $who refused with nginx's certificate error" \
                        "SSL certificate error|No required SSL certificate" "$dom"
                else
                    # The handshake itself fails: Chromium says why in its log
                    # (a bad certificate is answered with an alert; NSS does
                    # not offer an expired one, and s_server then hangs up).
                    check_match "chromium + s_server: $who fails the TLS handshake" \
                        "Page load failed: net::ERR_(BAD_SSL_CLIENT_AUTH_CERT|SSL_CLIENT_AUTH_CERT_NEEDED|SSL_PROTOCOL_ERROR|SOCKET_NOT_CONNECTED|CONNECTION_RESET|CONNECTION_CLOSED)" \
                        "$(cat "$CHROMIUM_LOG")"
                fi
            fi
        done
    done
    check_match "nginx logged the verification failures" "certificate revoked|certificate has expired|signature failure|unable to get" \
        "$(cat "$CASE_DIR/nginx/error.log" 2>/dev/null)"
    stop_bg
    remove_chromium_policy
    check_cmd "managed policy removed after the run" test ! -e "$CHROMIUM_POLICY"
}

# pkilint: the PKIX linters on every kind of certificate and the CRL, for
# both CA key types; findings outside tests/clients/pkilint-allow.txt fail.
case_pkilint() {
    local kt
    for kt in rsa2048 ecdsa-p256; do
        new_case "pkilint_$kt"
        start_cad "$CASE_DIR" || { fail "daemon starts"; return; }
        make_pki "$kt" || { fail "certificates issued" "$ERR"; return; }
        lint cert ca "CA certificate ($kt)" "$CA"
        lint cert server-single-label "server certificate localhost + 127.0.0.1 ($kt)" "$S.crt"
        lint cert client "client certificate ($kt)" "$U.crt"
        lint chain chain "chain CA → server ($kt)" "$CA" "$S.crt"
        lint chain chain "chain CA → client ($kt)" "$CA" "$U.crt"
        lint crl crl "CRL with one revocation ($kt)" "$CRL_PEM"
        # A dotted name and an IPv6 address: nothing may be accepted here.
        ctl root issue-server-cert -c weborca.clinic.example -c weborca-server -i 192.168.1.100 -i fd00::1 --out "$ZIPS"
        check "server certificate with FQDN, single label, IPv4, IPv6" 0 "$RC"
        lint cert server-single-label "server certificate, four names ($kt)" "$(bundle weborca.clinic.example).crt"
        ctl root issue-server-cert -c weborca.clinic.example -i 192.168.1.100 -i fd00::1 --out "$ZIPS"
        lint cert server "server certificate, FQDN only, no allow-list ($kt)" "$(bundle weborca.clinic.example).crt"
        stop_cad
    done
}

# ------------------------------------------------------------------ main
ALL_CASES=(tls_rsa_compat tls_rsa_modern tls_p256_compat tls_p256_modern chromium pkilint)
CASES_RUN=("${@:-${ALL_CASES[@]}}")

# e2e_stop_all dumps the logs when the exit status says failure: keep it.
trap 'rc=$?; stop_bg; remove_chromium_policy; (exit $rc); e2e_stop_all' EXIT
e2e_start_bus && e2e_install_polkit && e2e_start_polkit && e2e_setup_users \
    || { echo "harness did not come up"; e2e_dump_logs; exit 1; }
e2e_install_binaries
SECONDS=0
for c in "${CASES_RUN[@]}"; do
    t0=$SECONDS
    "case_$c"
    [ -n "${CAD_PID:-}" ] && stop_cad >/dev/null
    stop_bg
    printf '  (%s: %ss)\n' "$c" $((SECONDS - t0))
done
summary_all
[ "$FAILED" -eq 0 ]
