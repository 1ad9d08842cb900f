#!/usr/bin/env bash
# man.sh PAGE VERSION OUT BUILD: renders docs/<source>.md as the man page PAGE(8)
# described in docs/man-pages, or writes a .so link for an alias. A source
# "X.md:TOOL" also puts BUILD/tools/TOOL's --help first: a tool's options are
# documented once, in its own usage text.
set -euo pipefail
page=$1 version=$2 out=$3 build=$4
docs=$(cd "$(dirname "$0")" && pwd)
line=$(awk -F'\t' -v p="$page" '$1 == p' "$docs/man-pages")
[ -n "$line" ] || { echo "man.sh: $page is not in docs/man-pages" >&2; exit 1; }
IFS=$'\t' read -r _ src name <<<"$line"

if [ "${src#=}" != "$src" ]; then
	echo ".so man8/${src#=}.8" >"$out"
	exit 0
fi
tool=
case $src in *:*) tool=${src#*:} src=${src%%:*} ;; esac
# The page's own title becomes DESCRIPTION under the NAME section man needs;
# links to other docs pages name the man page instead.
{
	printf '# NAME\n\n%s\n\n' "$name"
	if [ -n "$tool" ]; then
		printf '# SYNOPSIS AND OPTIONS\n\n```\n'
		"$build/tools/$tool" --help
		printf '```\n\n'
	fi
	printf '# DESCRIPTION\n\n'
	sed '1{/^# /d}' "$docs/$src" | sed -E 's/\[([^]]*)\]\([a-z-]+\.md\)/\1/g'
} | pandoc -s -f gfm -t man --lua-filter "$docs/man.lua" \
	-M title="$(echo "$page" | tr a-z A-Z)" -M section=8 \
	-M footer="netbpf $version" -M header="netbpf manual" -o "$out"
