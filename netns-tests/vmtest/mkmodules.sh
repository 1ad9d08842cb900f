#!/usr/bin/env bash
# mkmodules.sh KERNEL_DIR LIST OUT: a cpio with the modules named in LIST and
# everything they depend on, uncompressed, plus /lib/modules/load-order for the
# guest's insmod loop. Debian's package has no modules.dep and the dependencies
# change between ABIs, so the order comes from each .ko's own `depends=` field.
set -euo pipefail
kdir=$(cd "$1" && pwd) list=$2 out=$3
rel=$(cat "$kdir/release")
mods="$kdir/lib/modules/$rel"

declare -A path=() seen=()
while IFS= read -r f; do
	n=$(basename "$f"); n=${n%%.ko*}
	path[${n//-/_}]=$f
done < <(find "$mods/kernel" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst')

modinfo_depends() {
	case $1 in
	*.xz)  xz -dc "$1" ;;
	*.zst) zstd -dcq "$1" ;;
	*)     cat "$1" ;;
	esac | tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '
}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/usr/lib/modules"
order=()
# Depth first: a module goes into the order after everything it depends on.
add() {
	local n=${1//-/_} d
	[ -z "${seen[$n]:-}" ] || return 0
	seen[$n]=1
	[ -n "${path[$n]:-}" ] || return 0 # built in, or not in this kernel
	for d in $(modinfo_depends "${path[$n]}"); do add "$d"; done
	case ${path[$n]} in
	*.xz)  xz -dc "${path[$n]}" ;;
	*.zst) zstd -dcq "${path[$n]}" ;;
	*)     cat "${path[$n]}" ;;
	esac >"$stage/usr/lib/modules/$n.ko"
	order+=("$n")
}
for m in $(sed 's/#.*//' "$list"); do add "$m"; done
printf '%s\n' "${order[@]}" >"$stage/usr/lib/modules/load-order"
# Appended to the root cpio: no entry for "." (it would set the mode of /) and
# usr/lib rather than lib, which is a link there.
(cd "$stage" && find usr | cpio -o -H newc -R 0:0 --quiet) >"$out"
