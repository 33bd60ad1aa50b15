#!/usr/bin/env bash
# The main job, end to end on this machine: builds orca-catool-rs, brings up
# a private D-Bus system bus, the real polkitd with our policy and rules, and
# the real orca-cad in a temporary directory, then walks through the ORCA
# page (SSLクライアント認証の利用) with orca-cactl as a member of orca-ca:
# CA, server certificate, client certificate, list, revoke, CRL.
# Run as root. KEEP=1 keeps the temporary directory and prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it creates test users and installs polkit files for the run)" >&2; exit 2; }
tests/install-deps.sh
cargo build --workspace --locked -q

. tests/e2e/lib.sh
cleanup() {
    local rc=$?
    [ -n "${CAD_PID:-}" ] && stop_cad
    [ "${KEEP:-0}" = 1 ] && echo "kept: $ORCA_E2E_DIR (state and logs; the test users' homes go with the users)"
    # e2e_stop_all shows the logs only when the demo failed: give it our status.
    if [ "${KEEP:-0}" = 1 ]; then
        (exit "$rc"); ORCA_E2E_KEEP=1 e2e_stop_all
    else
        (exit "$rc"); e2e_stop_all
    fi
}
trap cleanup EXIT
e2e_start_bus; e2e_install_polkit; e2e_start_polkit; e2e_setup_users
e2e_install_binaries
DIR=$ORCA_E2E_DIR/demo
mkdir -p "$DIR"
# The daemon's configuration, as /etc/orca-ca/orca-cad.toml would be: the
# defaults of orca-catool (3650 days, RSA 2048, p12 readable by every Windows).
printf '# orca-cad configuration for the demo: defaults\n' > "$DIR/orca-cad.toml"
start_cad "$DIR"
export HOME_MEMBER=$ORCA_E2E_DIR/home/$MEMBER

say() { printf '\n\033[1m# %s\033[0m\n' "$*"; }
as_root() { printf '$ sudo %s\n' "$*"; HOME=$ORCA_E2E_DIR/home/root "$BIN/$1" "${@:2}"; }
as_member() { printf '%s$ %s\n' "$MEMBER" "$*"; e2e_as "$MEMBER" "$BIN/$1" "${@:2}" </dev/null; }

say "orca-cad runs on a private system bus ($DBUS_SYSTEM_BUS_ADDRESS), state in $DIR/state"
say "1. 認証局の作成 — the administrator creates the CA (polkit: initialize needs root or an admin password)"
as_root orca-cactl init --yes
say "2. サーバ証明書の発行 — a member of orca-ca issues WebORCA's server certificate, as on the page"
as_member orca-catool issue_server_cert -i 192.168.1.100 -c weborca-server
say "3. クライアント証明書の発行 — one client certificate per person"
as_member orca-catool issue_client_cert -c user1
as_member orca-cactl issue-client-cert -c user2
say "4. 発行済証明書の検索 — the index"
as_member orca-cactl list
say "5. 証明書の破棄 — user2 leaves the clinic"
as_member orca-cactl revoke 000004 --reason cessationOfOperation
say "6. CRL — the fresh CRL lists it"
as_member orca-cactl issue-crl --out "$HOME_MEMBER/crl.pem"
openssl crl -in "$HOME_MEMBER/crl.pem" -noout -text | sed -n '/CRL Number/,+1p;/Serial Number/,+4p'
say "7. What the member got: \$HOME/certs"
ls -l "$HOME_MEMBER/certs"
unzip -l "$HOME_MEMBER/certs/000003__JP_orca_user1.zip"
say "8. Checked with OpenSSL"
x=$(mktemp -d); (cd "$x" && unzip -q "$HOME_MEMBER/certs/000002__JP_orca_weborca-server.zip" && unzip -q "$HOME_MEMBER/certs/000003__JP_orca_user1.zip" && unzip -q "$HOME_MEMBER/certs/000004__JP_orca_user2.zip")
S=$x/000002__JP_orca_weborca-server/000002__JP_orca_weborca-server
openssl verify -purpose sslserver -x509_strict -verify_ip 192.168.1.100 -CAfile "$x/000002__JP_orca_weborca-server/ca.crt" "$S.crt"
openssl verify -purpose sslclient -crl_check -CRLfile "$HOME_MEMBER/crl.pem" -CAfile "$x/000002__JP_orca_weborca-server/ca.crt" "$x/000003__JP_orca_user1/000003__JP_orca_user1.crt"
openssl verify -purpose sslclient -crl_check -CRLfile "$HOME_MEMBER/crl.pem" -CAfile "$x/000002__JP_orca_weborca-server/ca.crt" "$x/000004__JP_orca_user2/000004__JP_orca_user2.crt" || echo "(user2 is revoked, as it should be)"
openssl pkcs12 -in "$x/000003__JP_orca_user1/000003__JP_orca_user1.p12" -passin "file:$x/000003__JP_orca_user1/000003__JP_orca_user1.pass" -noout && echo "user1.p12: opens with its .pass"
rm -rf "$x"
say "9. The state directory the daemon owns (0700; ca.key 0600)"
ls -la "$DIR/state"
as_member orca-cactl status
