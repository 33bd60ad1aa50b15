#!/usr/bin/python3
"""Reads pkilint's JSON output on stdin; prints every finding of severity
WARNING or worse whose code the allow-list does not accept. Exit 0 always;
an unreadable input is printed as a finding, so it fails the check.

usage: pkilint_filter.py ALLOW_LIST SUBJECT < pkilint.json

Allow-list lines: CODE MAX_SEVERITY SCOPE REASON... ('#' starts a comment);
SCOPE is a shell pattern matched against SUBJECT, the kind of document the
test lints (e.g. server-single-label), so an accepted finding stays accepted
only where its reason holds.
"""
import fnmatch
import json
import sys

ORDER = ["DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "FATAL"]


def main():
    allowed = {}
    subject = sys.argv[2]
    with open(sys.argv[1]) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            code, severity, scope, reason = (line.split(None, 3) + ["", "", ""])[:4]
            if severity not in ORDER or not reason:
                print(f"allow-list: bad line (CODE SEVERITY SCOPE REASON): {line}")
                continue
            if fnmatch.fnmatchcase(subject, scope):
                allowed[code] = severity
    text = sys.stdin.read()
    try:
        results = json.loads(text)["results"]
    except (ValueError, KeyError):
        print("unreadable pkilint output: " + text[:300].replace("\n", " "))
        return 0
    for r in results:
        for d in r["finding_descriptions"]:
            sev, code = d["severity"], d["code"]
            if ORDER.index(sev) < ORDER.index("WARNING"):
                continue
            if code in allowed and ORDER.index(sev) <= ORDER.index(allowed[code]):
                continue
            print(f"{sev} {code} at {r['node_path']} ({r['validator']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
