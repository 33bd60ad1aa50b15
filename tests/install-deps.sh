#!/usr/bin/env bash
# Installs what building and testing orca-catool-rs needs on Debian 12 /
# Ubuntu 22.04 or later. Run as root. The Rust toolchain itself (1.89 or
# newer, for edition 2024) comes from rustup, not from apt.
set -euo pipefail
packages=(
    build-essential pkg-config libssl-dev libsqlite3-dev   # build: system OpenSSL and SQLite
    dbus polkitd systemd python3-dbus util-linux           # the bus, polkitd, busctl, setpriv, unshare
    python3-gi libglib2.0-bin                              # rawcall/notify_ready main loop, gdbus monitor
    openssl unzip jq sqlite3 libxml2-utils                 # checking what we issue
    python3-gi faketime zip                                # WebORCA cases: stand-in systemd, expired certificates
    chromium nginx-light gnutls-bin libnss3-tools curl     # real clients and servers (tests/clients)
    python3-venv                                           # pkilint's venv
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v cargo >/dev/null; then
    echo "install-deps: cargo not found: install Rust with rustup (https://rustup.rs), 1.89 or newer" >&2
    exit 1
fi
# The Debian package test's toolchain (dpkg-buildpackage, lintian, mmdebstrap).
"$(dirname "$0")/package/install-deps.sh"
# pkilint (PyPI, pinned) for tests/clients, in a venv under target/ so the
# system Python stays untouched.
pkilint_version=0.13.3
venv=${PKILINT_VENV:-$(cd "$(dirname "$0")/.." && pwd)/target/pkilint-venv}
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('pkilint') != '$pkilint_version')" 2>/dev/null; then
    echo "install-deps: installing pkilint $pkilint_version into $venv"
    /usr/bin/python3 -m venv "$venv"
    "$venv/bin/pip" install -q "pkilint==$pkilint_version"
fi
# cargo-fuzz (crates.io, pinned) for the bounded fuzzing step (tests/fuzz).
if ! cargo fuzz --version 2>/dev/null | grep -q "0.13.2"; then
    echo "install-deps: installing cargo-fuzz 0.13.2"
    cargo install -q cargo-fuzz --version 0.13.2 --locked
fi
