#!/usr/bin/env bash
# mkroot.sh BUILD ENV_FILE OUT: the guest's root cpio: busybox, the programs in
# guest-tools, the shared libraries of those and of every executable in BUILD
# (the guest runs them from the 9p share), /init, and the run's settings as
# /etc/vmtest.env. Kernel modules come in a second cpio (mkmodules.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1 env_file=$2 out=$3

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage" # it becomes /: tests run programs as nobody too
mkdir -p "$stage"/{usr/bin,usr/sbin,usr/lib,usr/lib64,proc,sys,dev,tmp,run,mnt,root,etc}
# Merged /usr like Debian 12: paths from ldd and #! lines resolve either way.
for d in bin sbin lib lib64; do ln -s "usr/$d" "$stage/$d"; done

# /bin/x and /usr/bin/x are the same file on the host; store under usr/.
put() { # host_path [name]
	local rel=${1#/usr}
	rel=usr$(dirname "$rel")/${2:-$(basename "$rel")}
	[ -e "$stage/$rel" ] && return 0
	mkdir -p "$stage/$(dirname "$rel")"
	cp -L "$1" "$stage/$rel"
}

progs=()
for t in $(sed 's/#.*//' "$here/guest-tools"); do
	case $t in
	dpkg:*) progs+=($(dpkg -L "${t#dpkg:}" | grep -E '/s?bin/[^/]+$')) ;;
	tree:*) d=${t#tree:}
	   [ -e "$d" ] || { echo "vmtest: $d not on this host, the guest goes without" >&2; continue; }
	   # Without test suites and build files: they are most of the bytes.
	   tar -C / --exclude='*/test' --exclude='*/tests' --exclude='*/idlelib' \
		--exclude='*/config-*' -cf - "${d#/}" | tar -C "$stage" -xf - ;;
	*) p=$(command -v "$t") || { echo "vmtest: $t not on this host, the guest goes without" >&2; continue; }
	   # Keep the command's name: nc is a link to nc.openbsd.
	   put "$p" "$(basename "$t")" ;;
	esac
done
for p in "${progs[@]}"; do put "$p"; done
cp -r /etc/iproute2 "$stage/etc/"

# Every executable of the build (netbpf, tests/, tools/, fuzz/...), not the
# kernel cache. glibc dlopens libgcc_s for thread cancellation: ldd cannot see it.
elves=$(find "$stage/usr" "$build" -path "$build/vmtest" -prune -o -type f \( -perm -u+x -o -name '*.so' \) -print)
for lib in $(for e in $elves; do ldd "$e" 2>/dev/null; done |
	sed -nE 's@.*=> (/[^ ]+).*@\1@p; s@^[[:space:]]*(/[^ ]+) \(.*@\1@p' | sort -u) \
	$(ldconfig -p | awk '$1 == "libgcc_s.so.1" && /x86-64/ { print $NF; exit }'); do
	put "$lib"
done

# Busybox's sh runs its own applet for a name even when PATH has another one
# first, so names of copied tools (ip, tc, ping...) get no applet link at all.
cp /bin/busybox "$stage/usr/bin/busybox"
for a in $(/bin/busybox --list); do
	[ -e "$stage/usr/bin/$a" ] || [ -e "$stage/usr/sbin/$a" ] || ln -s busybox "$stage/usr/bin/$a"
done

install -m 0755 "$here/init" "$stage/init"
cp "$env_file" "$stage/etc/vmtest.env"
echo 'root:x:0:0:root:/root:/bin/bash' >"$stage/etc/passwd"
echo 'root:x:0:' >"$stage/etc/group"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$stage/etc/hosts"
# The kernel opens /dev/console before /init runs, ahead of any devtmpfs.
mknod -m 600 "$stage/dev/console" c 5 1
(cd "$stage" && find . | cpio -o -H newc -R 0:0 --quiet) >"$out"
