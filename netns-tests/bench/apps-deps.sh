#!/usr/bin/env bash
# What `make bench-apps` runs, from Debian packages: redis-server (+ redis-tools), nginx-light,
# postgresql, wrk, curl. Their services must not run outside the bench's namespace: a
# policy-rc.d that refuses every start is in place during the install (an existing one is
# kept), and where systemd runs they are disabled right after. Installs nothing present.
set -euo pipefail
pkgs=()
want() { eval "$2" >/dev/null 2>&1 || pkgs+=("$1"); } # PACKAGE TEST: install unless TEST passes
want redis-server "command -v redis-server"
want redis-tools "command -v redis-benchmark && command -v redis-cli"
want nginx-light "command -v nginx"
want postgresql "ls /usr/lib/postgresql/*/bin/postgres && command -v pgbench && command -v psql"
want wrk "command -v wrk"
want curl "command -v curl"
[ ${#pkgs[@]} -gt 0 ] || exit 0
echo "bench-apps: installing ${pkgs[*]} (services not started)"
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\n# netbpf bench-apps: no service starts while it installs\nexit 101\n' \
		>/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${pkgs[@]}"
if [ -d /run/systemd/system ]; then
	systemctl disable --now redis-server nginx postgresql 2>/dev/null || true
fi
