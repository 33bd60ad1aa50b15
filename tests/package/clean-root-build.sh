#!/usr/bin/env bash
# The claim "the source builds offline in a clean root", tested: a fresh
# Debian 12 root gets exactly the Build-Depends (Debian's cargo-web and
# rustc-web from bookworm-security, no rustup), then dpkg-buildpackage runs
# there without network (unshare -n) on the tree with vendor/, checking the
# Build-Depends itself (no -d). As root; after tests/package/run.sh, whose
# vendored tree ($WORK/build/orca-catool-rs) and cached root it reuses.
# Not part of tests/run: it compiles everything once more from scratch
# (about 10 minutes on 2 cores).
set -euo pipefail
WORK=${ORCA_PKG_WORK:-/var/tmp/orca-catool-rs-package}
SRC=$WORK/build/orca-catool-rs
ROOT_TAR=$WORK/bookworm-root.tar
B=$WORK/builder
MIRROR=${ORCA_PKG_MIRROR:-$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY=${ORCA_PKG_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
[ -d "$SRC/vendor" ] && [ -s "$ROOT_TAR" ] || { echo "run tests/package/run.sh first" >&2; exit 2; }

if [ "${1:-}" != --inside ]; then
    rm -rf "$B"; mkdir -p "$B"
    tar -C "$B" -xf "$ROOT_TAR"
    mkdir -p "$B/build/orca-catool-rs"
    tar -C "$SRC" --exclude=./target --exclude=./debian/cargo-home --exclude=./debian/docgen -cf - . | tar -C "$B/build/orca-catool-rs" -xf -
    rc=0
    unshare --pid --fork --mount --propagation private "$0" --inside || rc=$?
    ls -l "$B"/build/*.deb 2>/dev/null || true
    [ "${ORCA_PKG_KEEP:-0}" = 1 ] || rm -rf "$B"
    exit $rc
fi

mount -n -t proc proc "$B/proc"
mount -n --rbind /dev "$B/dev"
cp /etc/resolv.conf "$B/etc/resolv.conf"
cat > "$B/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $SECURITY bookworm-security main
EOF
export DEBIAN_FRONTEND=noninteractive
chroot "$B" apt-get -q update >/dev/null
# Exactly what debian/control asks for, resolved by apt in the root.
chroot "$B" apt-get -q -y --no-install-recommends build-dep /build/orca-catool-rs | tail -n 2
chroot "$B" dpkg-query -W -f='${Package} ${Version}\n' cargo-web rustc-web libssl-dev libsqlite3-dev debhelper
t0=$(date +%s)
# -n: no network at all for the build.
chroot "$B" unshare -n sh -c 'cd /build/orca-catool-rs && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b' \
    > "$WORK/logs/clean-root-build.log" 2>&1 \
    && echo "clean-root offline build: OK in $(( $(date +%s) - t0 ))s" \
    || { echo "clean-root offline build: FAILED (see $WORK/logs/clean-root-build.log)"; tail -n 25 "$WORK/logs/clean-root-build.log"; exit 1; }
