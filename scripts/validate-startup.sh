#!/usr/bin/env bash
# Checks cvbench's native startup timing against `hyperfine -N` of the same
# agent, with the same definition on both sides.
#
# Like with like: hyperfine times a process from its spawn to its exit (it
# reads the child's output through a pipe until EOF, then waits for it).
# cvbench's `startup_ns` ends earlier, at READY's arrival; the native backend
# also records the phase `exited`: when, after reading the agent's output to
# EOF, it saw the agent's exit (before reaping it), counted from the same
# launch call. So `exited` is compared with hyperfine's time: both spawn the
# same static agent (`cvb-agent ready`) with the same small environment and
# arguments, both read its output through a pipe to EOF and then collect its
# exit.
#
# The pause before each launch matters here (this host starts a process
# about twice as fast right after busy work as after a pause), so it must be
# the same on both sides. The verdict is taken back to back: no pause on
# either side (--gap-ms 0; hyperfine's default), ROUNDS rounds of LAUNCHES
# each, alternating (A B, B A, ...), after 3 warm-ups on both sides. Each
# round's ratio of medians, cvbench / hyperfine, pairs launches made side by
# side in time; the verdict requires the median of those ratios within 10%
# of 1 (the host's load comes and goes between rounds: other work shares
# it: many short rounds pair more closely than a few long ones). The
# medians of all launches are shown too. The same is then shown,
# without a verdict,
# with cvbench's default 20 ms pause against hyperfine's nearest equivalent,
# --prepare 'sleep 0.02', which is not quite the same pause: /bin/sleep has
# to exit and be reaped right before each timed spawn, so hyperfine's launch
# does not start from an idle CPU as cvbench's does after its nanosleep.
# Usage: scripts/validate-startup.sh [ROUNDS, default 30] [LAUNCHES, default 12]
set -euo pipefail
# shellcheck source=scripts/validate-lib.sh
source "$(dirname "$0")/validate-lib.sh"
rounds=${1:-30}
launches=${2:-12}
paused_rounds=6
validate_ensure_built
validate_tmp validate-startup
command -v hyperfine >/dev/null || validate_skip "native startup" "hyperfine is not installed"

# cvbench gives the agent exactly this environment (backends/native.c).
agent_env=(PATH=/usr/sbin:/usr/bin:/sbin:/bin CVB_RUN_ID=validate CVB_INSTANCE=validate-0)

cvbench_round() { # GAP_MS OUT
	validate_cvbench run --backend native --workload ready --reps "$launches" --warmup 3 \
		--gap-ms "$1" --quiet --out "$2"
}

# --output=pipe: the agent writes into a pipe, as under cvbench (not to
# /dev/null); -N: no shell, no shell-spawn correction.
hyperfine_round() { # GAP_MS OUT
	local pause=()
	[ "$1" -eq 0 ] || pause=(--prepare "sleep $(awk "BEGIN { print $1 / 1000 }")")
	# Its warnings about outliers are this host's load, which cvbench's
	# summary line already reports; kept out of the way unless it fails.
	env -i "${agent_env[@]}" hyperfine -N --style none --output=pipe --warmup 3 \
		--runs "$launches" "${pause[@]}" --export-json "$2" "$(readlink -f "$AGENT") ready" \
		>/dev/null 2>"$VALIDATE_TMP/hyperfine.err" || { cat "$VALIDATE_TMP/hyperfine.err" >&2; return 1; }
}

# A B, B A, A B, ...: each side goes first in half the rounds.
measure() { # GAP_MS ROUNDS
	for r in $(seq "$2"); do
		if [ $((r % 2)) -eq 1 ]; then
			cvbench_round "$1" "$VALIDATE_TMP/cvb-$1-$r.json"
			hyperfine_round "$1" "$VALIDATE_TMP/hf-$1-$r.json"
		else
			hyperfine_round "$1" "$VALIDATE_TMP/hf-$1-$r.json"
			cvbench_round "$1" "$VALIDATE_TMP/cvb-$1-$r.json"
		fi
	done
}

echo "native startup: cvbench (phase 'exited', spawn to exit) and hyperfine -N, rounds of" \
	"$launches launches, alternating: $rounds rounds back to back, $paused_rounds with a 20 ms pause"
measure 0 "$rounds"
measure 20 "$paused_rounds"
validate_cvbench_warnings

python3 - "$VALIDATE_TMP" "$rounds" "$paused_rounds" "$(validate_rows_file)" <<'PY'
import json, statistics as st, sys
tmp, rounds, paused_rounds, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
q = lambda v, p: st.quantiles(v, n=100, method="inclusive")[p - 1]

def load(gap, rounds):
    """Per launch: cvbench's exited and ready, and hyperfine's times, in us."""
    exited, ready, hf, ratios = [], [], [], []
    print(f"{'round':>5} {'cvbench exited p50':>19} {'hyperfine p50':>14} {'ratio':>6}"
          f" {'cvbench ready p50':>18}")
    for r in range(1, rounds + 1):
        cell = json.load(open(f"{tmp}/cvb-{gap}-{r}.json"))["cells"][0]
        if cell["status"] != "ok":
            sys.exit(f"round {r}: cvbench cell {cell['status']}: {cell.get('reason', '')}")
        ls = [l for l in cell["launches"] if l["status"] == "ok" and not l["warmup"]]
        if not all("exited" in l["phases_ns"] for l in ls):
            sys.exit("cvbench recorded no 'exited' phase: this build's native backend predates it")
        e = [l["phases_ns"]["exited"] / 1e3 for l in ls]
        rd = [l["startup_ns"] / 1e3 for l in ls]
        h = [t * 1e6 for t in json.load(open(f"{tmp}/hf-{gap}-{r}.json"))["results"][0]["times"]]
        exited += e; ready += rd; hf += h
        ratios.append(st.median(e) / st.median(h))
        print(f"{r:>5} {st.median(e):>16.0f} us {st.median(h):>11.0f} us"
              f" {st.median(e) / st.median(h):>6.3f} {st.median(rd):>15.0f} us")
    E, H = st.median(exited), st.median(hf)
    print(f"all launches (n={len(exited)} each): cvbench spawn -> exit p50 {E:.0f} us"
          f" (p90 {q(exited, 90):.0f}), hyperfine p50 {H:.0f} us (p90 {q(hf, 90):.0f}),"
          f" ratio {E / H:.3f}; median of the rounds' ratios {st.median(ratios):.3f}")
    return exited, ready, hf, st.median(ratios)

print("back to back (cvbench --gap-ms 0, hyperfine without a pause):")
exited, ready, hf, ratio = load(0, rounds)
E, H, R = st.median(exited), st.median(hf), st.median(ready)
print("what still differs: cvbench's launch call also makes a second pipe (the agent's"
      " input) and a pidfd, and notices the exit by polling the pidfd; hyperfine (Rust's"
      " Command) opens /dev/null for the agent's input and waits in wait4(); between two"
      " launches each does its own bookkeeping")
ok = abs(ratio - 1) <= 0.10
print(("ok: the rounds' ratios' median within 10% of 1" if ok
       else "FAIL: the rounds' ratios' median is more than 10% from 1") +
      f" ({(ratio - 1) * 100:+.1f}%)")
after = st.median(x - y for x, y in zip(exited, ready))
print(f"the default startup figure (launch call -> READY's arrival) p50 {R:.0f} us:"
      f" {R / H:.3f} x hyperfine's; READY -> exit seen p50 {after:.0f} us (the agent writes"
      " DONE and exits, the kernel tears the process down, cvbench reads EOF and sees the"
      " exit)")

print("\nwith a 20 ms pause before every launch (cvbench's default --gap-ms 20; hyperfine"
      " --prepare 'sleep 0.02'):")
pe, pr, ph, pratio = load(20, paused_rounds)
PE, PH = st.median(pe), st.median(ph)
print(f"no verdict: the pauses differ (hyperfine's ends with /bin/sleep's exit and reaping,"
      f" busy work right before the timed spawn); the pause itself costs cvbench"
      f" {PE / E:.2f}x and hyperfine {PH / H:.2f}x the back-to-back figure")
with open(rows, "a") as out:
    out.write(f"native startup, spawn -> exit, back to back, p50 (us)\t{E:.0f}\t{H:.0f}"
              f" (hyperfine -N)\t{(ratio - 1) * 100:+.1f}% (median of {rounds} paired rounds)\t"
              f"{'ok' if ok else 'FAIL'}\n")
    out.write(f"native startup, default (launch -> READY), back to back, p50 (us)\t{R:.0f}\t"
              f"{H:.0f} (hyperfine -N, to exit)\t{(R / H - 1) * 100:+.1f}%\tinfo\n")
    out.write(f"native startup, spawn -> exit, after a 20 ms pause, p50 (us)\t{PE:.0f}\t{PH:.0f}"
              f" (hyperfine -N, prepare sleep 0.02)\t{(pratio - 1) * 100:+.1f}% (median of"
              f" {paused_rounds} paired rounds)\tinfo\n")
PY
validate_finish
