#!/usr/bin/env bash
# What tests/package/run.sh needs beyond tests/install-deps.sh: the Debian
# packaging toolchain, lintian, mmdebstrap, and man-db to render the pages.
# Run as root; installs only what is missing.
set -euo pipefail
packages=(
    debhelper dpkg-dev fakeroot build-essential lintian   # build and lint
    mmdebstrap arch-test xz-utils                                    # the fresh root, the flat repository
    pkg-config libssl-dev libsqlite3-dev                             # system OpenSSL and SQLite
    systemd man-db openssl jq                                        # systemd-analyze, man, checks
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "package install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
