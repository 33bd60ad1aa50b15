# shellcheck shell=bash
# Helpers of the hostile-conditions suite (tests/faults/run.sh), on top of
# tests/e2e/lib.sh: consistency of the state directory and of the delivered
# bundles after a crash, and the suite's counters.

KILLS_SURVIVED=0
KILLS_TRIED=0
INPUTS_TRIED=0
ISSUES_UNDER_FIRE=0

# A here-string, not a pipe: grep -q exits at the first match, and printf
# would then die of SIGPIPE, which pipefail turns into "no match".
check_not_match() { if grep -Eq -- "$2" <<<"$3"; then fail "$1" "unexpected /$2/ in: $(printf '%s' "$3" | grep -E -m2 -- "$2" | head -c 300)"; else pass "$1"; fi; }

# The daemon runs and owns its name; unlike e2e's daemon_alive, also true
# when it answers every call with an error (damaged state, bad config).
cad_serving() {
    kill -0 "$CAD_PID" 2>/dev/null &&
        [ "$(busctl --system status jp.or.med.orca.CaTool1 2>/dev/null | awk -F= '/^PID=/ {print $2}')" = "$CAD_PID" ]
}

# Read-only view of the index (the daemon may be dead or alive).
q() { sqlite3 "file:$1/state/index.sqlite?mode=ro" "$2" 2>&1; }

# Canonical form of a hex serial: upper case, no leading zeros.
canon_serial() { tr 'a-f' 'A-F' | sed 's/^0*//'; }

# consistency_problems DIR OUTDIR: prints every broken invariant, nothing when
# the state and the bundles in OUTDIR agree. Zips already checked are listed
# in DIR/verified-zips so repeated calls stay cheap.
consistency_problems() {
    local dir=$1 out=$2 r
    r=$(q "$dir" "PRAGMA integrity_check;")
    [ "$r" = ok ] || echo "integrity_check: $r"
    r=$(q "$dir" "SELECT issue_number FROM certificates c WHERE kind != 'ca' AND NOT EXISTS
        (SELECT 1 FROM key_material k WHERE k.issue_number = c.issue_number);")
    [ -z "$r" ] || echo "rows without key material: $r"
    r=$(q "$dir" "SELECT issue_number FROM key_material k WHERE NOT EXISTS
        (SELECT 1 FROM certificates c WHERE k.issue_number = c.issue_number);")
    [ -z "$r" ] || echo "key material without a row: $r"
    r=$(q "$dir" "SELECT serial FROM certificates GROUP BY serial HAVING count(*) > 1;")
    [ -z "$r" ] || echo "serial used twice: $r"
    r=$(q "$dir" "SELECT (SELECT value FROM counters WHERE name = 'next_issue_number') > (SELECT max(issue_number) FROM certificates);")
    [ "$r" = 1 ] || echo "next_issue_number not past the highest row: $r"
    r=$(q "$dir" "SELECT (SELECT value FROM counters WHERE name = 'crl_number') = (SELECT crl_number FROM crl);")
    [ "$r" = 1 ] || echo "CRL counter and stored CRL disagree: $r"
    local crl_no
    crl_no=$(q "$dir" "SELECT crl_number FROM crl;")
    if [ -n "${LAST_CRL_NUMBER:-}" ] && [ "$crl_no" -lt "$LAST_CRL_NUMBER" ] 2>/dev/null; then
        echo "CRL number went down: $LAST_CRL_NUMBER → $crl_no"
    fi
    LAST_CRL_NUMBER=$crl_no
    [ "$(sha256sum < "$dir/state/ca.key")" = "$CA_KEY_SUM" ] || echo "CA key changed"
    [ "$(stat -c %a "$dir/state/ca.key")" = 600 ] || echo "CA key mode $(stat -c %a "$dir/state/ca.key")"
    # Every delivered bundle: complete, with its row, same number and serial.
    touch "$dir/verified-zips"
    local z num cn serial row
    while IFS= read -r z; do
        grep -qxF "$z" "$dir/verified-zips" && continue
        if ! unzip -tq "$z" >/dev/null 2>&1; then echo "partial or broken zip: $z"; continue; fi
        num=$(basename "$z" | cut -c1-6); num=$((10#$num))
        cn=$(basename "$z" .zip | sed 's/^[0-9]*__JP_orca_//')
        serial=$(unzip -p "$z" '*/[0-9]*.crt' | openssl x509 -noout -serial | cut -d= -f2 | canon_serial)
        row=$(q "$dir" "SELECT common_name || ' ' || serial FROM certificates WHERE issue_number = $num;")
        if [ "${row% *}" != "$cn" ] || [ "$(printf '%s' "${row#* }" | canon_serial)" != "$serial" ]; then
            echo "zip $z does not match its row: [$row] vs [$cn $serial]"
        fi
        echo "$z" >> "$dir/verified-zips"
    done < <(find "$out" -name '*.zip' -type f 2>/dev/null)
    local dups
    dups=$(find "$out" -name '*.zip' -type f -printf '%f\n' 2>/dev/null | cut -c1-6 | sort | uniq -d)
    [ -z "$dups" ] || echo "issue number delivered twice: $dups"
}

# What the index says (rows, counters, CRL) and the published CRL: unlike
# e2e's state_digest, blind to file sizes, which SQLite's WAL changes freely.
db_digest() {
    { q "$1" "SELECT issue_number, serial, status, revoked_at FROM certificates ORDER BY 1;
        SELECT * FROM counters ORDER BY 1; SELECT crl_number, hex(der) FROM crl;
        SELECT issue_number, length(pkcs12) FROM key_material ORDER BY 1;"
      sha256sum < "$1/state/crl.der"; } | sha256sum | cut -c1-16
}

# After a (re)start the published CRL files are the index's CRL. Asked
# twice a second apart: a call that slipped past the workers' pause may be
# between its commit and its file write (it writes both within a second).
crl_files_match_index() {
    _crl_files_match_index "$1" || { sleep 1; _crl_files_match_index "$1"; }
}
_crl_files_match_index() {
    local dir=$1
    [ "$(q "$dir" "SELECT hex(der) FROM crl;")" = "$(od -An -v -tx1 "$dir/state/crl.der" | tr -d ' \n' | tr a-f A-F)" ]
}

summary_faults() {
    summary_table
    printf '\n%-28s %7s\n' "hostile conditions" "count"
    printf '%-28s %7s\n' "kill -9 survived" "$KILLS_SURVIVED/$KILLS_TRIED"
    printf '%-28s %7s\n' "issues under kills" "$ISSUES_UNDER_FIRE"
    printf '%-28s %7s\n' "bad inputs tried" "$INPUTS_TRIED"
}
