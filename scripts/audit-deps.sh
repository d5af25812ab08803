#!/usr/bin/env bash
# `make audit-deps`: checks every pin in requirements.txt against known vulnerabilities
# with pip-audit. Exit 0: no known vulnerable pin. Exit 1: a pin is vulnerable (listed).
# Exit 2: the check could not be done (vulnerability service unreachable, or it has no data
# for a pin); that is reported as a failure, never as a pass.
# AUDIT_SERVICE=osv uses osv.dev instead of PyPI's JSON API (the default).
set -uo pipefail
cd "$(dirname "$0")/.."

PIP_AUDIT="${VENV:-.venv}/bin/pip-audit"
SERVICE="${AUDIT_SERVICE:-pypi}"

# Every pin is exact and the file lists the transitive ones too, so no resolving is needed;
# --strict makes a package that cannot be checked an error instead of a silent skip.
output=$("$PIP_AUDIT" -r requirements.txt --vulnerability-service "$SERVICE" \
    --no-deps --disable-pip --strict --progress-spinner off --desc on 2>&1)
status=$?

if [ "$status" -eq 0 ]; then
    echo "$output" | grep -v "encouraged to fully hash\|pip-compile"
    echo "audit-deps: no known vulnerabilities in requirements.txt ($SERVICE)."
    exit 0
fi
if echo "$output" | grep -q "could not be audited\|ConnectionError\|NameResolutionError\|Max retries\|timed out"; then
    echo "$output" | grep -v "encouraged to fully hash\|pip-compile" | tail -n 5
    echo "audit-deps: NOT CHECKED. The vulnerability service ($SERVICE) could not be reached"
    echo "or has no data for these pins, so nothing was verified. Run it where the service"
    echo "is reachable (try AUDIT_SERVICE=osv or AUDIT_SERVICE=pypi)."
    exit 2
fi
echo "$output"
echo "audit-deps: a pinned package has a known vulnerability; upgrade the pin (see above)."
exit 1
