#!/usr/bin/env bash
# The Debian package, end to end (issue 5). As root:
#   1. builds orca-catool-rs with dpkg-buildpackage in a copy of the tree
#      (crates vendored by "make vendor", offline build), and a rebuild with a
#      higher version for the upgrade test;
#   2. lintian --pedantic: no error, no warning;
#   3. bootstraps a fresh Debian 12 root with mmdebstrap (cached as a tarball),
#      serves the .deb from a local flat apt repository and runs
#      "apt-get install orca-catool-rs" in it;
#   4. systemd-analyze verify on every unit, and the offline exposure score
#      of both services (fails above 2.0);
#   5. in that root, with its stock dbus-daemon --system and nothing else
#      started by hand: root creates the CA, a member of orca-ca issues and
#      lists a client certificate (orca-cad and polkitd bus-activated), a
#      non-member is refused, the CRL timer's command works, an upgrade keeps
#      the CA, index and a changed conffile, remove keeps the CA, purge keeps
#      the CA and says so, and a reinstall finds the same CA again.
# Prints a summary table; exit status 1 if any check failed.
#
# Environment: ORCA_PKG_WORK (default /var/tmp/orca-catool-rs-package) keeps
# compiled crates and the bootstrapped root between runs; ORCA_PKG_MIRROR
# (default: the host's Debian mirror); ORCA_PKG_REFRESH_ROOT=1 bootstraps anew;
# ORCA_PKG_KEEP=1 leaves the root in $WORK/root for a look afterwards.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${ORCA_PKG_WORK:-/var/tmp/orca-catool-rs-package}
MIRROR=${ORCA_PKG_MIRROR:-$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
# A stable path: cargo's fingerprints of the vendored crates stay valid, so a
# second run recompiles only what changed.
SRC=$WORK/build/orca-catool-rs
REPO_DIR=$WORK/repo
ROOT=$WORK/root
ROOT_TAR=$WORK/$SUITE-root.tar
ROOT_TAR_NEW=$WORK/$SUITE-root-new.tar   # mmdebstrap picks the format by the .tar ending
RESULTS=$WORK/results.txt
LOGS=$WORK/logs
UPGRADE_VERSION=0.1.0+pkgtest1
# What the cached root holds beyond --variant=apt: systemd, so that
# "systemd-analyze verify --root" finds the units the package's refer to.
# dbus, polkitd and adduser come from the mirror through the package's Depends.
ROOT_INCLUDE=systemd

[ "$(id -u)" = 0 ] || { echo "tests/package/run.sh: run as root" >&2; exit 2; }

if [ "${1:-}" = --inside ]; then
    INSIDE=1
else
    INSIDE=0
fi

check() { # check NAME RESULT DETAIL
    printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$RESULTS"
    printf '  [%s] %s: %s\n' "$2" "$1" "$3"
}
pass() { check "$1" PASS "$2"; }
fail() { check "$1" FAIL "$2"; }
expect() { # expect NAME DETAIL COMMAND...: PASS when COMMAND succeeds
    local name=$1 detail=$2; shift 2
    if "$@" >> "$LOGS/checks.log" 2>&1; then pass "$name" "$detail"; else fail "$name" "$detail (command failed: $*)"; fi
}
step() { printf '\n=== %s\n' "$*"; }
now() { date +%s; }

summary() {
    step "summary"
    awk -F'\t' 'BEGIN { printf "%-34s %-5s %s\n", "CHECK", "", "DETAIL"; printf "%-34s %-5s %s\n", "-----", "", "------" }
                { printf "%-34s %-5s %s\n", $1, $2, $3 }' "$RESULTS"
    local failed
    failed=$(awk -F'\t' '$2 == "FAIL"' "$RESULTS" | wc -l)
    echo
    echo "$(awk 'END{print NR}' "$RESULTS") checks, $failed failed; logs in $LOGS"
    [ "$failed" = 0 ]
}

# ---------------------------------------------------------------- inside ---
# Runs in its own PID and mount namespace (see below): every process started
# here (dbus-daemon, orca-cad, polkitd) dies with the namespace.
inside() {
    local C=$ROOT
    inr() { chroot "$C" "$@"; }
    # as USER CMD...: a login-like environment (supplementary groups count
    # for the polkit rule), in the user's home.
    as() { local u=$1; shift; chroot "$C" setpriv --reuid="$u" --regid="$u" --init-groups \
        env -i HOME="/home/$u" USER="$u" LOGNAME="$u" PATH=/usr/bin:/bin sh -c 'cd "$HOME" && exec "$@"' sh "$@"; }
    apt_in() { inr env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 "$@"; }
    ca_fingerprint() { openssl x509 -in "$C/var/lib/orca-ca/ca.crt" -noout -fingerprint -sha256 2>/dev/null | cut -d= -f2; }

    # -n: do not let libmount write the host's /run/mount/utab.
    mount -n -t proc proc "$C/proc"
    mount -n --rbind /dev "$C/dev"
    mount -n -t tmpfs -o mode=755 tmpfs "$C/run"
    mount -n -t tmpfs -o mode=1777 tmpfs "$C/tmp"
    cp /etc/resolv.conf "$C/etc/resolv.conf"
    mkdir -p "$C/srv/repo"
    mount -n --bind "$REPO_DIR" "$C/srv/repo"

    step "install from the local apt-line"
    cat > "$C/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb [trusted=yes] file:/srv/repo ./
EOF
    publish 0.1.0
    apt_in update > "$LOGS/apt-update.log" 2>&1
    local t0; t0=$(now)
    if apt_in install -y orca-catool-rs > "$LOGS/apt-install.log" 2>&1; then
        pass "apt-get install" "orca-catool-rs $(inr dpkg-query -W -f='${Version}' orca-catool-rs) and its dependencies from the mirror ($(grep -c '^Setting up' "$LOGS/apt-install.log") packages) in $(( $(now) - t0 ))s"
    else
        fail "apt-get install" "see $LOGS/apt-install.log"; tail -n 20 "$LOGS/apt-install.log"; return
    fi
    grep -E 'adduser USER orca-ca|Created symlink' "$LOGS/apt-install.log" | sed 's/^/    /' || true
    expect "postinst: group and hint" "group orca-ca exists, empty; install printed 'adduser USER orca-ca'" \
        sh -c "chroot '$C' getent group orca-ca | grep -qx 'orca-ca:x:[0-9]*:' && grep -q 'sudo adduser USER orca-ca' '$LOGS/apt-install.log'"
    expect "postinst: state directory" "/var/lib/orca-ca is 0700 root:root" \
        sh -c "[ \"\$(stat -c %a:%U:%G '$C/var/lib/orca-ca')\" = 700:root:root ]"
    # Enabled: the timer only. Started at install: the timer only (on a
    # systemd host; here the postinst skips starting for want of systemd, so
    # read what it would start).
    local postinst=$C/var/lib/dpkg/info/orca-catool-rs.postinst
    if [ -L "$C/etc/systemd/system/timers.target.wants/orca-cad-crl.timer" ] \
        && ! find "$C/etc/systemd/system" -name 'orca-cad*.service' | grep -q . \
        && grep -F 'deb-systemd-invoke $_dh_action' "$postinst" | grep -qF "'orca-cad-crl.timer'" \
        && ! grep -E '(deb-systemd-invoke \$_dh_action|deb-systemd-helper enable).*orca-cad(-crl)?\.service' "$postinst" | grep -q .; then
        pass "units: timer enabled" "orca-cad-crl.timer enabled and started by postinst; neither .service enabled or started"
    else
        fail "units: timer enabled" "see /etc/systemd/system and $postinst"
    fi
    expect "files in place" "binaries, orca-catool link, conffile, bus, polkit, units, man pages, completions, docs" \
        sh -c "cd '$C' && test -x usr/sbin/orca-cad -a -x usr/bin/orca-cactl && [ \"\$(readlink usr/bin/orca-catool)\" = orca-cactl ] \
            && grep -qx /etc/orca-ca/orca-cad.toml var/lib/dpkg/info/orca-catool-rs.conffiles \
            && test -f usr/share/dbus-1/system.d/jp.or.med.orca.CaTool1.conf -a -f usr/share/dbus-1/system-services/jp.or.med.orca.CaTool1.service \
            && test -f usr/share/polkit-1/actions/jp.or.med.orca.catool.policy -a -f usr/share/polkit-1/rules.d/50-jp.or.med.orca.catool.rules \
            && test -f var/lib/polkit-1/localauthority/10-vendor.d/50-jp.or.med.orca.catool.pkla \
            && test -f lib/systemd/system/orca-cad.service -a -f lib/systemd/system/orca-cad-crl.service -a -f lib/systemd/system/orca-cad-crl.timer \
            && test -f usr/share/man/man8/orca-cad.8.gz -a -f usr/share/man/man1/orca-cactl.1.gz -a -f usr/share/man/man1/orca-catool.1.gz \
            && test -f usr/share/bash-completion/completions/orca-cactl -a -f usr/share/zsh/vendor-completions/_orca-cactl -a -f usr/share/fish/vendor_completions.d/orca-cactl.fish \
            && test -f usr/share/doc/orca-catool-rs/README.md.gz -a -f usr/share/doc/orca-catool-rs/QUICKSTART.ja.md.gz"
    # dpkg must not loosen polkitd's own directories when it unpacks ours.
    local perms; perms=$(inr stat -c '%n %a %U' /usr/share/polkit-1/rules.d /var/lib/polkit-1 | tr '\n' ' ')
    expect "polkit directories" "$perms" sh -c "echo '$perms' | grep -q '/usr/share/polkit-1/rules.d 700 polkitd'"
    local libs; libs=$(inr ldd /usr/sbin/orca-cad | awk '/libssl|libcrypto|libsqlite3/{print $1}' | sort | tr '\n' ' ')
    expect "system OpenSSL and SQLite" "orca-cad links ${libs:-nothing}" \
        sh -c "echo '$libs' | grep -q libssl.so.3 && echo '$libs' | grep -q libsqlite3.so.0"

    step "verify the installed units (systemd-analyze, offline)"
    local out
    if out=$(systemd-analyze verify --man=no --root="$C" orca-cad.service orca-cad-crl.service orca-cad-crl.timer 2>&1); then
        pass "systemd-analyze verify" "orca-cad.service, orca-cad-crl.service, orca-cad-crl.timer: no findings${out:+ ($out)}"
    else
        fail "systemd-analyze verify" "$(echo "$out" | tr '\n' ' ')"
    fi
    local unit score
    for unit in orca-cad.service orca-cad-crl.service; do
        score=$(systemd-analyze security --offline=true --root="$C" "$unit" 2>&1 | awk '/Overall exposure level/{print $(NF-2)}')
        echo "    $unit: exposure ${score:-?}"
        if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
            pass "exposure $unit" "$score (limit 2.0)"
        else
            fail "exposure $unit" "${score:-no score} (limit 2.0)"
        fi
    done
    expect "man pages render" "man orca-cad(8), orca-cactl(1), orca-catool(1) format without warnings" \
        sh -c "for p in man8/orca-cad.8 man1/orca-cactl.1 man1/orca-catool.1; do zcat '$C'/usr/share/man/\$p.gz | LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l - 2>&1 >/dev/null | grep . && exit 1; done; true"

    step "stock system bus in the root; orca-cad and polkitd by activation"
    mkdir -p "$C/run/dbus"
    chroot "$C" dbus-daemon --system --nofork --nopidfile --nosyslog > "$LOGS/dbus.log" 2>&1 &
    local i
    for i in $(seq 100); do [ -S "$C/run/dbus/system_bus_socket" ] && break; sleep 0.1; done
    inr useradd -m -s /bin/sh clerk
    inr useradd -m -s /bin/sh visitor
    inr adduser --quiet clerk orca-ca

    if out=$(inr orca-cactl init --yes 2>&1); then
        pass "root: init --yes" "$(echo "$out" | head -n 1)"
    else
        fail "root: init --yes" "$out"; return
    fi
    if out=$(as clerk orca-cactl issue-client-cert -c reception-pc 2>&1) && [ -f "$C/home/clerk/certs/000002__JP_orca_reception-pc.zip" ]; then
        pass "member: issue-client-cert" "$(echo "$out" | tail -n 1)"
    else
        fail "member: issue-client-cert" "$out"
    fi
    if out=$(as clerk orca-cactl list 2>&1) && echo "$out" | grep -q reception-pc; then
        pass "member: list" "$(echo "$out" | grep reception-pc | tr -s ' ')"
    else
        fail "member: list" "$out"
    fi
    local rc=0
    out=$(as visitor orca-cactl --no-ask-password issue-client-cert -c intruder 2>&1) || rc=$?
    if [ "$rc" = 3 ]; then pass "non-member refused" "exit 3: $(echo "$out" | head -n 1)"; else fail "non-member refused" "exit $rc: $out"; fi
    expect "bus activation" "dbus-daemon activated jp.or.med.orca.CaTool1 and org.freedesktop.PolicyKit1 (none started by hand)" \
        sh -c "grep -q \"Successfully activated service 'jp.or.med.orca.CaTool1'\" '$LOGS/dbus.log' && grep -q \"Successfully activated service 'org.freedesktop.PolicyKit1'\" '$LOGS/dbus.log'"
    local pid
    pid=$(inr busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetConnectionUnixProcessID s jp.or.med.orca.CaTool1 2>/dev/null | awk '{print $2}')
    expect "orca-cad runs as root" "pid ${pid:-?}: $(tr '\0' ' ' < "$C/proc/${pid:-0}/cmdline" 2>/dev/null)" \
        sh -c "[ -n '$pid' ] && [ \"\$(awk '/^Uid:/{print \$2}' '$C/proc/$pid/status')\" = 0 ]"

    step "the CRL timer's command"
    local crl_cmd
    crl_cmd=$(sed -n 's/^ExecStart=//p' "$C/lib/systemd/system/orca-cad-crl.service")
    rc=0; out=$(inr $crl_cmd 2>&1) || rc=$?
    if [ "$rc" = 0 ]; then pass "crl renew --if-due (timer)" "$crl_cmd: $(echo "$out" | head -n 1)"; else fail "crl renew --if-due (timer)" "exit $rc: $out"; fi
    # The unit skips itself before init by a path condition: that path must
    # be where the CA really is once it exists.
    local cond
    cond=$(sed -n 's/^ConditionPathExists=//p' "$C/lib/systemd/system/orca-cad-crl.service")
    expect "timer condition" "ConditionPathExists=$cond exists after init" sh -c "[ -n '$cond' ] && [ -f '$C$cond' ]"
    local n1 n2
    n1=$(openssl crl -in "$C/var/lib/orca-ca/crl.pem" -noout -crlnumber 2>/dev/null | cut -d= -f2)
    inr orca-cactl crl renew >> "$LOGS/checks.log" 2>&1 || true
    n2=$(openssl crl -in "$C/var/lib/orca-ca/crl.pem" -noout -crlnumber 2>/dev/null | cut -d= -f2)
    # openssl prints the CRL number as 0x.. hex
    expect "crl renew (forced)" "CRL number $n1 -> $n2 in /var/lib/orca-ca/crl.pem" \
        sh -c "[ -n '$n1' ] && [ -n '$n2' ] && [ \$(($n2)) -gt \$(($n1)) ]"

    step "upgrade to $UPGRADE_VERSION"
    local fp_before list_before
    fp_before=$(ca_fingerprint)
    list_before=$(inr orca-cactl --json list | jq -c '[.[] | {number, serial}]' 2>/dev/null || true)
    # An administrator's change to the conffile must survive the upgrade.
    sed -i 's/^#client_cert_validity = 3650$/client_cert_validity = 825/' "$C/etc/orca-ca/orca-cad.toml"
    publish "$UPGRADE_VERSION"
    apt_in update > "$LOGS/apt-update2.log" 2>&1
    if apt_in install -y orca-catool-rs > "$LOGS/apt-upgrade.log" 2>&1 && \
       [ "$(inr dpkg-query -W -f='${Version}' orca-catool-rs)" = "$UPGRADE_VERSION" ]; then
        pass "apt-get install (upgrade)" "0.1.0 -> $UPGRADE_VERSION"
    else
        fail "apt-get install (upgrade)" "see $LOGS/apt-upgrade.log"
    fi
    expect "upgrade keeps the CA" "same CA fingerprint ${fp_before:0:23}..." sh -c "[ -n '$fp_before' ] && [ \"\$(openssl x509 -in '$C/var/lib/orca-ca/ca.crt' -noout -fingerprint -sha256 | cut -d= -f2)\" = '$fp_before' ]"
    local list_after
    list_after=$(as clerk orca-cactl --json list | jq -c '[.[] | {number, serial}]' 2>/dev/null || true)
    expect "upgrade keeps the index" "same certificates listed by the new orca-cad: $(echo "$list_after" | jq -r '[.[].number] | join(",")' 2>/dev/null)" \
        sh -c "[ -n '$list_before' ] && [ '$list_before' != '[]' ] && [ '$list_before' = '$list_after' ]"
    expect "upgrade keeps the conffile" "client_cert_validity = 825 kept, no prompt" grep -qx 'client_cert_validity = 825' "$C/etc/orca-ca/orca-cad.toml"
    local new_pid
    new_pid=$(inr busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetConnectionUnixProcessID s jp.or.med.orca.CaTool1 2>/dev/null | awk '{print $2}')
    expect "upgrade restarts orca-cad" "the old daemon (pid $pid) was stopped; pid ${new_pid:-?} runs the new binary" \
        sh -c "[ -n '$new_pid' ] && [ '$new_pid' != '$pid' ] && [ -z \"\$(readlink '$C/proc/$pid/exe' 2>/dev/null)\" ] && [ \"\$(readlink '$C/proc/$new_pid/exe')\" = '$C/usr/sbin/orca-cad' ]"
    if out=$(as clerk orca-cactl issue-client-cert -c after-upgrade 2>&1) && [ -f "$C/home/clerk/certs/000003__JP_orca_after-upgrade.zip" ]; then
        pass "issue after upgrade" "next number 000003, as the index continues"
    else
        fail "issue after upgrade" "$out"
    fi

    step "remove, purge, reinstall"
    # Wake orca-cad, so that remove has a running daemon to stop.
    inr orca-cactl status >/dev/null 2>&1 || true
    apt_in remove -y orca-catool-rs > "$LOGS/apt-remove.log" 2>&1 || true
    local left; left=$(cad_pids | tr '\n' ' ')
    if [ -z "$left" ]; then pass "remove stops orca-cad" "no orca-cad process left in the root"; else fail "remove stops orca-cad" "still running: $left"; fi
    expect "remove keeps the CA" "package removed; ca.key, index.sqlite and the conffile stay" \
        sh -c "! chroot '$C' dpkg-query -W -f='\${Status}' orca-catool-rs | grep -q 'ok installed' && test -f '$C/var/lib/orca-ca/ca.key' -a -f '$C/var/lib/orca-ca/index.sqlite' -a -f '$C/etc/orca-ca/orca-cad.toml' && ! test -e '$C/usr/sbin/orca-cad'"
    inr dpkg --purge orca-catool-rs > "$LOGS/dpkg-purge.log" 2>&1 || true
    sed 's/^/    /' "$LOGS/dpkg-purge.log"
    expect "purge keeps the CA and says so" "/var/lib/orca-ca left in place (same CA), message printed; /etc/orca-ca, group, timer link gone" \
        sh -c "grep -q 'purge keeps the CA' '$LOGS/dpkg-purge.log' && [ \"\$(openssl x509 -in '$C/var/lib/orca-ca/ca.crt' -noout -fingerprint -sha256 | cut -d= -f2)\" = '$fp_before' ] \
            && ! test -e '$C/etc/orca-ca' && ! chroot '$C' getent group orca-ca >/dev/null && ! test -e '$C/etc/systemd/system/timers.target.wants/orca-cad-crl.timer'"
    apt_in install -y orca-catool-rs > "$LOGS/apt-reinstall.log" 2>&1 || true
    out=$(inr orca-cactl --json status 2>&1 || true)
    expect "reinstall finds the CA" "status after purge + install: initialized, same CA" \
        sh -c "[ \"\$(openssl x509 -in '$C/var/lib/orca-ca/ca.crt' -noout -fingerprint -sha256 | cut -d= -f2)\" = '$fp_before' ] && echo '$out' | jq -e '.initialized == true' >/dev/null"
}

# PIDs of orca-cad processes in this PID namespace (its /proc is mounted in
# the root) (the root's binary, or
# its deleted predecessor).
cad_pids() {
    local p
    for p in "$ROOT"/proc/[0-9]*; do
        case "$(readlink "$p/exe" 2>/dev/null)" in
            "$ROOT/usr/sbin/orca-cad"|"$ROOT/usr/sbin/orca-cad (deleted)") echo "${p##*/}" ;;
        esac
    done
}

# publish VERSION: the local flat repository offers exactly that version.
publish() {
    rm -f "$REPO_DIR"/*.deb
    cp "$WORK/debs/orca-catool-rs_$1_"*.deb "$REPO_DIR/"
    (cd "$REPO_DIR" && dpkg-scanpackages --multiversion . /dev/null > Packages 2>/dev/null && gzip -9kf Packages && xz -kf Packages)
}

if [ "$INSIDE" = 1 ]; then
    inside
    exit 0
fi

# ---------------------------------------------------------------- outside --
START=$(now)
mkdir -p "$WORK" "$LOGS" "$REPO_DIR" "$WORK/debs"
: > "$RESULTS"; : > "$LOGS/checks.log"
"$(dirname "$0")/install-deps.sh"

build() { # build VERSION: dpkg-buildpackage in $SRC, the .deb into $WORK/debs
    local version=$1 t0; t0=$(now)
    if [ "$version" != 0.1.0 ]; then
        # Same date as the entry before: dpkg-buildpackage derives
        # SOURCE_DATE_EPOCH from it, and a new value makes cargo rebuild.
        (cd "$SRC" && { printf '%s (%s) unstable; urgency=medium\n\n  * Rebuild for the upgrade test.\n\n -- %s  %s\n\n' \
            orca-catool-rs "$version" "$(dpkg-parsechangelog -S Maintainer)" "$(dpkg-parsechangelog -S Date)"; cat debian/changelog; } \
            > debian/changelog.new && mv debian/changelog.new debian/changelog)
    fi
    # nocheck: tests/run has run the test suite already. -d: the Rust
    # toolchain here is rustup's (on PATH), which dpkg cannot see; a clean
    # build root gets Debian's cargo-web/rustc-web from Build-Depends.
    if (cd "$SRC" && CARGO_TARGET_DIR=$WORK/target DEB_BUILD_OPTIONS=nocheck \
            dpkg-buildpackage -us -uc -b -d) > "$LOGS/build-$version.log" 2>&1; then
        cp "$WORK/build/orca-catool-rs_${version}_"*.deb "$WORK/debs/"
        pass "build $version" "dpkg-buildpackage -us -uc -b -d in $(( $(now) - t0 ))s"
    else
        fail "build $version" "see $LOGS/build-$version.log"; tail -n 30 "$LOGS/build-$version.log"; summary; exit 1
    fi
}

step "copy the tree and vendor the crates"
rm -rf "$SRC" "$WORK/build"/*.deb "$WORK/build"/*.changes "$WORK/build"/*.buildinfo "$WORK/debs"/*
mkdir -p "$SRC"
(cd "$REPO" && git ls-files -co --exclude-standard -z | xargs -0 -I{} sh -c '[ -e "$1" ] && printf "%s\0" "$1"' sh {} \
    | tar --null -T - -cf -) | tar -C "$SRC" -xf -
t0=$(now)
(cd "$SRC" && make vendor) > "$LOGS/vendor.log" 2>&1 \
    && pass "make vendor" "$(ls "$SRC/vendor" | wc -l) crates in $(( $(now) - t0 ))s" \
    || { fail "make vendor" "see $LOGS/vendor.log"; summary; exit 1; }

step "build"
build 0.1.0
lintian_out=$(lintian --pedantic --display-info --fail-on none "$WORK/build/orca-catool-rs_0.1.0_"*.changes 2>&1 | grep -v '^N:' || true)
echo "$lintian_out" | sed 's/^/    /'
errors=$(echo "$lintian_out" | grep -c '^E:' || true)
warnings=$(echo "$lintian_out" | grep -c '^W:' || true)
others=$(echo "$lintian_out" | { grep -E '^[IPX]:' || true; } | awk '{print $3}' | sort -u | tr '\n' ' ')
if [ "$errors" = 0 ] && [ "$warnings" = 0 ]; then
    pass "lintian --pedantic" "0 errors, 0 warnings${others:+; info/pedantic: $others}"
else
    fail "lintian --pedantic" "$errors errors, $warnings warnings"
fi
build "$UPGRADE_VERSION"

step "fresh $SUITE root (mmdebstrap)"
if [ ! -s "$ROOT_TAR" ] || [ "${ORCA_PKG_REFRESH_ROOT:-0}" = 1 ] || [ "$(cat "$ROOT_TAR.include" 2>/dev/null)" != "$ROOT_INCLUDE $MIRROR" ]; then
    t0=$(now)
    # In its own PID namespace: maintainer scripts run inside the root
    # (polkitd's postinst stops every polkitd it can see) must not see ours.
    if unshare --pid --fork --mount --propagation private --mount-proc \
            mmdebstrap --variant=apt --mode=root --include="$ROOT_INCLUDE" "$SUITE" "$ROOT_TAR_NEW" "$MIRROR" \
            > "$LOGS/mmdebstrap.log" 2>&1; then
        mv "$ROOT_TAR_NEW" "$ROOT_TAR"; echo "$ROOT_INCLUDE $MIRROR" > "$ROOT_TAR.include"
        pass "mmdebstrap" "$SUITE --variant=apt +$ROOT_INCLUDE in $(( $(now) - t0 ))s (cached in $ROOT_TAR)"
    else
        fail "mmdebstrap" "see $LOGS/mmdebstrap.log"; summary; exit 1
    fi
else
    pass "mmdebstrap" "cached root from $(date -r "$ROOT_TAR" '+%F %H:%M') (ORCA_PKG_REFRESH_ROOT=1 renews it)"
fi
rm -rf "$ROOT"; mkdir -p "$ROOT"
tar -C "$ROOT" -xf "$ROOT_TAR"
# Leave the host's /run/mount alone if the namespaces create it.
[ -d /run/mount ] && had_run_mount=1 || had_run_mount=0
unshare --pid --fork --mount --propagation private \
    env ORCA_PKG_WORK="$WORK" ORCA_PKG_MIRROR="$MIRROR" "$0" --inside || fail "root checks" "exited early (status $?)"
[ "$had_run_mount" = 1 ] || rmdir /run/mount 2>/dev/null || true
[ "${ORCA_PKG_KEEP:-0}" = 1 ] || rm -rf "$ROOT"

echo; echo "package test: $(( $(now) - START ))s in all"
summary
