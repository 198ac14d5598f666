#!/usr/bin/env bash
# Container start, cvbench against its peers, measured the same way: every
# runtime starts the same static agent (`ready`), and cvbench times launch
# call -> READY for each (peers through `--backend native --launcher CMD`).
# Runtimes alternate round by round in one run; absent ones are skipped with
# the reason. Prints each one's median and p90 and its ratio to cvbench, in
# two modes, the same for every runtime: launches back to back (--gap-ms 0),
# and each after a 20 ms pause (cvbench's default). They differ on purpose:
# after a pause CPUs doze, and on cgroup v1 the first task move into a cgroup
# waits for an RCU grace period (milliseconds) that back-to-back moves skip.
# Usage (root): scripts/bench-container-peers.sh [ROUNDS, default 10] [REPS per round, default 10]
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-10}
reps=${2:-10}
[ "$(id -u)" -eq 0 ] || { echo "needs root (namespaces, cgroups, runc)" >&2; exit 1; }
[ -x build/cvbench ] || make -s
agent=$(readlink -f build/cvb-agent)
tmp=$(mktemp -d /tmp/cvb-peers-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

declare -A launcher reason
launcher[unshare]="unshare --pid --fork --mount --net --uts --ipc --cgroup {agent}"
launcher[bwrap]="bwrap --unshare-all --ro-bind / / --proc /proc --dev /dev {agent}"

# An OCI bundle for runc and crun: the agent alone in a read-only rootfs,
# namespaces pid, net, ipc, uts, mount, cgroup.
bundle="$tmp/bundle"
mkdir -p "$bundle/rootfs"
cp "$agent" "$bundle/rootfs/cvb-agent"
make_bundle() { # RUNTIME
	(cd "$bundle" && rm -f config.json && "$1" spec >/dev/null 2>&1) || return 1
	jq '.process.args = ["/cvb-agent", "ready"] | .process.terminal = false
	    | .root = {path: "rootfs", readonly: true}
	    | .linux.namespaces = [{type:"pid"},{type:"network"},{type:"ipc"},{type:"uts"},{type:"mount"},{type:"cgroup"}]' \
		"$bundle/config.json" >"$bundle/config.tmp" && mv "$bundle/config.tmp" "$bundle/config.json"
}
for rt in runc crun; do
	if ! command -v $rt >/dev/null; then
		reason[$rt]="$rt is not installed"
		continue
	fi
	make_bundle $rt || { reason[$rt]="'$rt spec' failed"; continue; }
	# One trial start: some versions refuse some cgroup layouts (crun 1.8 and hybrid).
	if ! out=$($rt run --bundle "$bundle" cvb-peer-trial-$$ 2>&1) || ! grep -q '^DONE 0' <<<"$out"; then
		reason[$rt]="a trial start failed: $(echo "$out" | grep -v '^READY\|^DONE' | head -n1)"
		$rt delete -f cvb-peer-trial-$$ >/dev/null 2>&1
		continue
	fi
	launcher[$rt]="$rt run --bundle $bundle {name}"
done
for tool in unshare bwrap; do
	command -v $tool >/dev/null || { reason[$tool]="$tool is not installed"; unset "launcher[$tool]"; }
done

# cvbench twice: as specified (default namespaces and a cgroup per instance),
# and with --no-cgroup, the same work unshare(1) does (it makes no cgroup).
order=(cvbench cvbench-nocg "${!launcher[@]}")
for gap in 0 20; do
for ((r = 1; r <= rounds; r++)); do
	for who in "${order[@]}"; do
		if [ "$who" = cvbench ]; then
			args=(--backend container)
		elif [ "$who" = cvbench-nocg ]; then
			args=(--backend container --no-cgroup)
		else
			args=(--backend native --launcher "${launcher[$who]}")
		fi
		build/cvbench run "${args[@]}" --workload ready --reps "$reps" --warmup 2 --quiet \
			--gap-ms "$gap" --out "$tmp/gap$gap.$who.r$r.json" 2>"$tmp/$who.err" ||
			{ echo "$who: run failed: $(tail -n1 "$tmp/$who.err")" >&2; }
	done
done
done

for who in "${!reason[@]}"; do echo "skipped $who: ${reason[$who]}"; done
for gap in 0 20; do
[ $gap = 0 ] && echo "back to back (--gap-ms 0):" || echo "each launch after a $gap ms pause (--gap-ms $gap):"
python3 - "$tmp/gap$gap" "${order[@]}" <<'PY'
import json, sys, glob
tmp, names = sys.argv[1], sys.argv[2:]
def pct(xs, p):
    xs = sorted(xs); h = (len(xs) - 1) * p; lo = int(h)
    return xs[lo] + (h - lo) * (xs[min(lo + 1, len(xs) - 1)] - xs[lo])
data = {}
for n in names:
    xs = []
    for f in glob.glob(f"{tmp}.{n}.r*.json"):
        cell = json.load(open(f))["cells"][0]
        xs += cell["metrics"].get("startup_ns", {}).get("samples", [])
    if xs:
        data[n] = xs
if "cvbench" not in data:
    sys.exit("cvbench's container backend produced no samples")
base = pct(data["cvbench"], .5)
nocg = pct(data["cvbench-nocg"], .5) if "cvbench-nocg" in data else None
print(f"{'runtime':13} {'n':>5} {'p50':>9} {'p90':>9} {'p50/cvbench':>12} {'p50/cvbench-nocg':>17}")
for n in names:
    if n in data:
        xs = data[n]
        rel = f"{pct(xs,.5)/nocg:17.2f}" if nocg else f"{'-':>17}"
        print(f"{n:13} {len(xs):5d} {pct(xs,.5)/1e6:7.2f}ms {pct(xs,.9)/1e6:7.2f}ms {pct(xs,.5)/base:12.2f} {rel}")
print("cvbench: default namespaces (incl. user) and a cgroup per instance; cvbench-nocg: the")
print("same without the cgroup (--no-cgroup), as unshare makes none. unshare: pid,mnt,net,uts,")
print("ipc,cgroup namespaces; bwrap --unshare-all; runc/crun: pid,net,ipc,uts,mnt,cgroup + cgroup.")
print()
PY
done
