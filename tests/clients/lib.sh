# shellcheck shell=bash
# Helpers of the real-client suite (tests/clients/run.sh), on top of
# tests/e2e/lib.sh: issuing a small PKI with the real daemon, TLS servers on
# 127.0.0.1, one-shot clients with timeouts, headless Chromium, pkilint.

CLIENTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PKILINT_VENV=${PKILINT_VENV:-$E2E_TOP/target/pkilint-venv}
CHROMIUM_POLICY=/etc/chromium/policies/managed/orca-catool-clients-test.json
declare -a BG_PIDS=()
summary_all() { summary_table; }


# A here-string, not a pipe: grep -q exits at the first match, and printf
# would then die of SIGPIPE, which pipefail turns into "no match".
check_not_match() { if grep -Eq -- "$2" <<<"$3"; then fail "$1" "unexpected /$2/ in: $(printf '%s' "$3" | grep -E -m2 -- "$2" | head -c 300)"; else pass "$1"; fi; }

# A free TCP port on 127.0.0.1 (the kernel picks it).
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() {  # wait_port PORT PID
    local i
    for i in $(seq 100); do
        kill -0 "$2" 2>/dev/null || return 1
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

stop_bg() {
    local p
    for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    BG_PIDS=()
}

# start_cad_faked DIR: orca-cad as start_cad, but its clock FAKE_PAST away
# (libfaketime), to issue certificates that have expired by now.
start_cad_faked() {
    local lib
    lib=$(find /usr/lib -name libfaketime.so.1 -path '*faketime*' | head -1)
    [ -n "$lib" ] || { echo "libfaketime.so.1 not found"; return 1; }
    local dir=$1; shift
    mkdir -p "$dir"
    CAD_LOG=$dir/cad.log
    LD_PRELOAD=$lib FAKETIME="$FAKE_PAST" FAKETIME_DONT_FAKE_MONOTONIC=1 \
        "$BIN/orca-cad" --config "$dir/orca-cad.toml" --state-dir "$dir/state" \
        --weborca-dir "$dir/weborca" --idle-timeout 0 "$@" >>"$CAD_LOG" 2>&1 &
    CAD_PID=$!
    local i
    for i in $(seq 100); do
        busctl --system status jp.or.med.orca.CaTool1 >/dev/null 2>&1 && return 0
        kill -0 "$CAD_PID" 2>/dev/null || { echo "orca-cad exited: $(tail -5 "$CAD_LOG")"; return 1; }
        sleep 0.1
    done
    return 1
}

# bundle NAME: unzips NAME's bundle from $ZIPS into $X; prints the file stem.
bundle() {
    local z
    # The newest bundle of that name: the highest issue number.
    z=$(ls "$ZIPS"/*__JP_orca_"$1".zip 2>/dev/null | sort | tail -1)
    [ -n "$z" ] || return 1
    (cd "$X" && unzip -qo "$z") || return 1
    local base; base=$(basename "$z" .zip)
    echo "$X/$base/$base"
}

# make_pki KEY_TYPE: a CA, then make_pki_on_existing_ca.
make_pki() {
    ctl root init --yes --key-type "$1" --ca-name "Clinic CA $1"
    [ "$RC" = 0 ] || return 1
    make_pki_on_existing_ca
}

# Server (localhost + 127.0.0.1), client user1, client revoked1 (revoked,
# keyCompromise), the CRL. Sets X ZIPS CA S U R CRL_PEM CRL_DER.
make_pki_on_existing_ca() {
    ZIPS=$CASE_DIR/zips X=$CASE_DIR/x
    mkdir -p "$X"
    ctl root issue-server-cert -c localhost -i 127.0.0.1 --out "$ZIPS"; [ "$RC" = 0 ] || return 1
    ctl root issue-client-cert -c user1 --out "$ZIPS"; [ "$RC" = 0 ] || return 1
    ctl root issue-client-cert -c revoked1 --out "$ZIPS"; [ "$RC" = 0 ] || return 1
    S=$(bundle localhost) && U=$(bundle user1) && R=$(bundle revoked1) || return 1
    CA=$(dirname "$U")/ca.crt
    ctl root revoke "$(basename "$R" | cut -c1-6)" --reason keyCompromise; [ "$RC" = 0 ] || return 1
    CRL_PEM=$CASE_DIR/crl.pem CRL_DER=$CASE_DIR/crl.der
    ctl root issue-crl --out "$CRL_PEM"; [ "$RC" = 0 ] || return 1
    openssl crl -in "$CRL_PEM" -outform DER -out "$CRL_DER"
}

# openssl s_server on a free port: our server bundle, client certificate
# required and checked against ca.crt and our CRL; -www answers with a
# status page that includes the client certificate.
start_s_server() {
    PORT=$(free_port)
    openssl s_server -accept "127.0.0.1:$PORT" -cert "$S.crt" -key "$S.pem" -CAfile "$CA" \
        -Verify 1 -verify_return_error -crl_check -CRL "$CRL_PEM" -www -quiet \
        >"$1/s_server.log" 2>&1 </dev/null &
    BG_PIDS+=($!)
    wait_port "$PORT" $!
}

# One GET with openssl s_client; prints the session and the answer.
s_client_get() {
    { printf 'GET / HTTP/1.0\r\n\r\n'; sleep 2; } | timeout 20 openssl s_client -connect "127.0.0.1:$PORT" \
        -CAfile "$CA" -verify_return_error -verify_ip 127.0.0.1 -ign_eof "$@" 2>&1
}

gnutls_get() {
    { printf 'GET / HTTP/1.0\r\n\r\n'; sleep 2; } | timeout 20 gnutls-cli --x509cafile "$CA" \
        -p "$PORT" 127.0.0.1 "$@" 2>&1
}

# nginx on a free port: ssl_verify_client on, ssl_crl; the page is served
# only after verification and shows the client's subject.
start_nginx() {
    local d=$1/nginx
    mkdir -p "$d"
    NGINX_PORT=$(free_port)
    cat > "$d/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log info;
events { worker_connections 64; }
http {
    access_log $d/access.log;
    client_body_temp_path $d/body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fastcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT ssl;
        ssl_certificate $S.crt;
        ssl_certificate_key $S.pem;
        ssl_client_certificate $CA;
        ssl_verify_client on;
        ssl_crl $CRL_PEM;
        default_type text/html;
        location / { return 200 "<html><body><p id=who>authenticated as \$ssl_client_s_dn</p></body></html>\n"; }
    }
}
EOF
    nginx -c "$d/nginx.conf" -p "$d" >"$d/stdout.log" 2>&1 &
    BG_PIDS+=($!)
    wait_port "$NGINX_PORT" $!
}

# Chromium picks the client certificate without a dialog only through this
# managed policy; it is installed for the run and removed after (a file of
# this name left by a killed run is ours, and is replaced).
install_chromium_policy() {
    mkdir -p "$(dirname "$CHROMIUM_POLICY")" && echo '{}' > "$CHROMIUM_POLICY"
}
policy_urls() {
    local u json='[]'
    for u in "$@"; do
        json=$(jq -c --arg p "$u" '. + [({pattern: $p, filter: {}} | tojson)]' <<<"$json")
    done
    jq -n --argjson l "$json" '{AutoSelectCertificateForUrls: $l}' > "$CHROMIUM_POLICY"
    chmod 0644 "$CHROMIUM_POLICY"
}
remove_chromium_policy() { rm -f "$CHROMIUM_POLICY"; }

# new_browser_home STEM: a fresh $HOME with .pki/nssdb holding STEM's p12
# (imported with its .pass) and our ca.crt trusted for TLS.
new_browser_home() {
    BHOME=$(mktemp -d "$CASE_DIR/home.XXXX")
    local db=$BHOME/.pki/nssdb
    mkdir -p "$db"
    certutil -N -d "sql:$db" --empty-password
    pk12util -i "$1.p12" -d "sql:$db" -w "$1.pass" -K '' >/dev/null 2>&1 || fail "pk12util import of $(basename "$1").p12"
    certutil -A -d "sql:$db" -n orca-test-ca -t CT,C,C -i "$CA" || fail "certutil trusts ca.crt"
}

# The DOM Chromium ends up with; without a matching policy Chromium waits
# for a dialog forever, hence the timeout.
chromium_dom() {
    HOME=$BHOME timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d "$BHOME/ud.XXXX")" --dump-dom "$1" 2>"${CHROMIUM_LOG:-/dev/null}"
}

# lint cert|chain|crl SUBJECT NAME FILE...: pkilint; a finding of WARNING or
# worse passes only when the allow-list accepts its code for SUBJECT, at or
# below the listed severity.
lint() {
    local kind=$1 subject=$2 name=$3; shift 3
    local out rc=0
    case $kind in
        cert) out=$("$PKILINT_VENV/bin/lint_pkix_cert" lint -f JSON -s ALL "$1" 2>&1) || rc=$? ;;
        chain) out=$("$PKILINT_VENV/bin/lint_pkix_signer_signee_cert_chain" lint -f JSON -s ALL "$1" "$2" 2>&1) || rc=$? ;;
        crl) out=$("$PKILINT_VENV/bin/lint_crl" lint -f JSON -s ALL -t CRL -p PKIX "$1" 2>&1) || rc=$? ;;
    esac
    printf '%s\n' "$out" > "$CASE_DIR/pkilint-$(echo "$name" | tr -c 'a-zA-Z0-9\n' _).txt"
    local bad
    bad=$(printf '%s\n' "$out" | /usr/bin/python3 "$CLIENTS_DIR/pkilint_filter.py" "$CLIENTS_DIR/pkilint-allow.txt" "$subject")
    # pkilint exits non-zero when it reports anything, allowed or not: the
    # filter decides.
    if [ -z "$bad" ]; then
        pass "pkilint: $name (no finding outside the allow-list)"
    else
        fail "pkilint: $name" "$(printf '%s' "${bad:-$out}" | head -5 | tr '\n' ' ')"
    fi
}
