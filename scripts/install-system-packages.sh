#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks use: Chromium and its driver
# (browser tests, Lighthouse), wrk (benchmarks) and gettext (msgfmt compiles the Spanish
# translations, xgettext finds new strings) and postgresql-client (pg_dump and pg_restore:
# backups of a PostgreSQL site, and their tests). Needs root or sudo.
set -euo pipefail
packages=(chromium chromium-driver wrk gettext postgresql-client)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing ${missing[*]} with apt-get"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
