#!/usr/bin/env bash
# Installs what building and testing orca-catool-rs needs on Debian 12 /
# Ubuntu 22.04 or later. Run as root. The Rust toolchain itself (1.85 or
# newer, for edition 2024) comes from rustup, not from apt.
set -euo pipefail
packages=(
    build-essential pkg-config libssl-dev libsqlite3-dev   # build: system OpenSSL and SQLite
    dbus polkitd systemd python3-dbus util-linux           # the bus, polkitd, busctl, setpriv, unshare
    python3-gi libglib2.0-bin                              # rawcall/notify_ready main loop, gdbus monitor
    openssl unzip jq sqlite3 libxml2-utils                 # checking what we issue
    python3-gi faketime zip                                # WebORCA cases: stand-in systemd, expired certificates
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
    echo "install-deps: cargo not found: install Rust with rustup (https://rustup.rs), 1.85 or newer" >&2
    exit 1
fi
# The Debian package test's toolchain (dpkg-buildpackage, lintian, mmdebstrap).
"$(dirname "$0")/package/install-deps.sh"
