#!/usr/bin/env bash
# fetch-kernel.sh VERSION DIR: puts the newest Debian generic kernel of VERSION
# (e.g. 6.1) into DIR as an uncompressed ELF `vmlinux` (qemu boots it through PVH,
# which saves the ~4 s bzImage decompression of every TCG boot), its modules tree
# under DIR/lib/modules and its release string in DIR/release.
# Nothing is installed on the host: the package is only downloaded and unpacked.
set -euo pipefail
ver=$1 dir=$2
die() { echo "vmtest: $*" >&2; exit 1; }

# Generic flavour only: -cloud has no 9p, -rt is another scheduler. "6.1" must not
# match 6.12, hence the dot after the version.
newest() {
	apt-cache pkgnames "linux-image-$ver." |
		grep -E "^linux-image-${ver//./\\.}\.[0-9].*-amd64-unsigned$" |
		grep -Ev -- '-(cloud|rt)-amd64' | sort -V | tail -n1
}
# A fresh machine may have no package lists yet.
pkg=$(newest) || { apt-get update -qq && pkg=$(newest); } || true
[ -n "$pkg" ] || die "apt offers no linux-image-$ver.*-amd64-unsigned"

tmp="$dir.tmp"
rm -rf "$tmp" && mkdir -p "$tmp/deb"
echo "  KERNEL   $pkg"
# APT's sandbox user cannot write into a root-only build dir.
(cd "$tmp/deb" && apt-get download -qq -o APT::Sandbox::User=root "$pkg")
dpkg-deb -x "$tmp"/deb/*.deb "$tmp"
vmlinuz=$(echo "$tmp"/boot/vmlinuz-*)
[ -f "$vmlinuz" ] || die "no /boot/vmlinuz-* in $pkg"

# Same idea as the kernel's scripts/extract-vmlinux: the bzImage carries its
# payload as a compressed stream after the setup code (XZ in 6.1, ZSTD in 6.12).
# Try each magic's offsets; the decompressor stops with an error at the trailing
# bytes, so success is judged by the ELF magic of the result.
is_elf() { [ "$(head -c4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }
try() { # magic decompressor...
	local magic=$1 off; shift
	for off in $(LC_ALL=C grep -abo "$magic" "$vmlinuz" | cut -d: -f1); do
		tail -c +$((off + 1)) "$vmlinuz" | "$@" >"$tmp/vmlinux" 2>/dev/null || true
		is_elf "$tmp/vmlinux" && return 0
	done
	return 1
}
try $'\xfd7zXZ' xz -dcq || try $'\x28\xb5\x2f\xfd' zstd -dcq ||
	die "no XZ or ZSTD payload with an ELF vmlinux in $vmlinuz"

basename "$vmlinuz" | sed 's/^vmlinuz-//' >"$tmp/release"
echo "$pkg" >"$tmp/package"
rm -rf "$tmp/deb" "$tmp/boot" "$tmp/usr" "$tmp/etc"
rm -rf "$dir" && mv "$tmp" "$dir"
