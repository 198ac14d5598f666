#!/usr/bin/env bash
# Matrix files (validated whole before anything starts), shards for many
# hosts, and an interrupted run continued with --resume.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "matrices, shards and resume"

# --- the shipped matrices are valid and say how long they take ---------------
for m in matrices/*.json; do
	check "$(basename "$m") plans (--dry-run, estimated duration)" sh -c \
		"$CVBENCH run --matrix $m --dry-run | grep -q 'estimated duration'"
done
check "quick is CI-sized (estimated under 5 minutes)" sh -c \
	"$CVBENCH plan matrices/quick.json | sed -n 's/.*about \([0-9]*\) s.*/\1/p' | awk '{exit !(\$1 < 300)}'"

# --- bad matrix files: exit 2, one line naming the place, nothing written ----
bad_matrix() { # NAME TEXT EXPECTED-SUBSTRING
	printf '%s\n' "$2" >"$TMP/m.json"
	rm -f "$TMP/bad.json"
	$CVBENCH run --matrix "$TMP/m.json" --out "$TMP/bad.json" >"$TMP/bad.out" 2>"$TMP/bad.err"
	local rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$TMP/bad.err")" -eq 1 ] && grep -q -- "$3" "$TMP/bad.err" &&
		[ ! -e "$TMP/bad.json" ]; then
		pass "$1 -> exit 2: $(cat "$TMP/bad.err")"
	else
		fail "$1" "rc=$rc stderr=$(cat "$TMP/bad.err")"
	fi
}
bad_matrix "JSON syntax error (line named)" '{"cvbench_matrix": 1,
 "blocks": [
   {"backend": "native",, "workload": "ready"}]}' "line 3"
bad_matrix "not a matrix" '{"blocks": []}' 'cvbench_matrix'
bad_matrix "unknown top-level field" '{"cvbench_matrix": 1, "blocks": [{}], "bloks": 1}' "unknown field 'bloks'"
bad_matrix "unknown option in a block (block named)" '{"cvbench_matrix": 1, "blocks": [{"name": "a"}, {"name": "b", "frobs": 3}]}' "blocks\[1\] 'b'.*frobs"
bad_matrix "bad value in a block" '{"cvbench_matrix": 1, "blocks": [{"reps": 0}]}' "blocks\[0\].*--reps"
bad_matrix "impossible combination" '{"cvbench_matrix": 1, "blocks": [{"workload": "idle", "scenario": ["alone"]}]}' "runs until stopped"
bad_matrix "empty blocks" '{"cvbench_matrix": 1, "blocks": []}' "non-empty"
# What root runs comes from the command line only (abbreviated too).
printf '#!/bin/sh\ntouch %s\nexec "$@"\n' "$TMP/ran" >"$TMP/evil.sh"
chmod +x "$TMP/evil.sh"
bad_matrix "a block naming a launcher" '{"cvbench_matrix": 1, "blocks": [{"launcher": "'"$TMP/evil.sh"' {agent}"}]}' "field 'launcher' names what cvbench runs as root.*pass --launcher there"
bad_matrix "an abbreviated launcher" '{"cvbench_matrix": 1, "blocks": [{"launch": "'"$TMP/evil.sh"' {agent}"}]}' "the matrix gives --launcher"
bad_matrix "defaults naming the agent" '{"cvbench_matrix": 1, "defaults": {"agent": "'"$TMP/evil.sh"'"}, "blocks": [{}]}' "field 'agent'"
bad_matrix "a block naming a guest kernel" '{"cvbench_matrix": 1, "blocks": [{"backend": "vm", "kernel": "/tmp/k"}]}' "field 'kernel'"
check "nothing a matrix named was run" test ! -e "$TMP/ran"
check "missing matrix file -> exit 2" sh -c "$CVBENCH run --matrix $TMP/none.json 2>/dev/null; [ \$? -eq 2 ]"

# --- shards: the same cells, split over K files ------------------------------
cells_of() { $CVBENCH run --matrix "$1" --dry-run | sed -n 's/^  cell \(.*\): [0-9]* warm-up.*/\1/p'; }
check "plan --split 3 writes three shard matrices" sh -c \
	"$CVBENCH plan matrices/noisy.json --split 3 --out-dir $TMP/shards >/dev/null && [ \$(ls $TMP/shards | wc -l) -eq 3 ]"
cells_of matrices/noisy.json | sort >"$TMP/all.cells"
for f in "$TMP"/shards/*.json; do cells_of "$f"; done | sort >"$TMP/shard.cells"
check "the shards hold exactly the matrix's cells, each once" cmp "$TMP/all.cells" "$TMP/shard.cells"
check "--split larger than the matrix -> exit 2" sh -c "$CVBENCH plan matrices/quick.json --split 200 --out-dir $TMP/x 2>/dev/null; [ \$? -eq 2 ]"

# --- Ctrl-C keeps what was measured; --resume finishes it ---------------------
# Interrupted on the run's progress, not after a fixed sleep (a loaded host
# makes every launch slower): the agent is a wrapper that logs each launch,
# and once the 14th has begun 13 have ended (2 warm-ups, 11 measured). 400
# launches 10 ms apart cannot end in the meantime (>= 4 s of gaps alone).
out="$TMP/int.json"
printf '#!/bin/sh\necho >>%s\nexec %s "$@"\n' "$TMP/launches" "$(realpath "$BUILD/cvb-agent")" >"$TMP/agent.sh"
chmod +x "$TMP/agent.sh"
: >"$TMP/launches"
$CVBENCH run --agent "$TMP/agent.sh" --backend native --workload ready --reps 400 --warmup 2 --gap-ms 10 --quiet --out "$out" &
pid=$!
for _ in $(seq 600); do [ "$(wc -l <"$TMP/launches")" -ge 14 ] && break; sleep 0.05; done
kill -INT $pid
wait $pid
rc=$?
check "SIGINT: exit 130" test $rc -eq 130
check "SIGINT: the file is incomplete and keeps its samples" jq -e \
	'.status=="incomplete" and (.cells[0].metrics.startup_ns.samples|length) > 10' "$out"
first=$(jq -r .run_id "$out")
# The record names its agent: a resume runs only the one it is given now,
# and only the same one.
check "--resume without the record's --agent -> exit 2, naming it" sh -c \
	"$CVBENCH run --resume $out --quiet 2>$TMP/r.err; [ \$? -eq 2 ] && grep -q \"command line gives --agent '$TMP/agent.sh'.*pass --agent there\" $TMP/r.err"
check "--resume with another agent -> exit 2" sh -c \
	"$CVBENCH run --resume $out --agent $BUILD/cvb-agent --quiet 2>$TMP/r.err; [ \$? -eq 2 ] && grep -q 'one run keeps one agent' $TMP/r.err"
check "--resume: continues to the end (exit 0)" $CVBENCH run --resume "$out" --agent "$TMP/agent.sh" --quiet
check "--resume: one complete record of 400 measured launches" jq -e \
	'.status=="ok" and (.cells[0].metrics.startup_ns.samples|length)==400 and .cells[0].launch_counts.measured_ok==400' "$out"
check "--resume: no launch measured twice, the first run named" jq -e --arg first "$first" \
	'(.cells[0].metrics.startup_ns.launch_index | length == (unique|length)) and .config.resumed_from==$first' "$out"
check "--resume: results validate" validate "$out"
check "--resume of a complete run -> exit 2" sh -c "$CVBENCH run --resume $out --agent $TMP/agent.sh 2>/dev/null; [ \$? -eq 2 ]"
# A results file is no command line for root: a forged record's launcher is
# refused, and its --out is not where the resume writes.
jq '.status="incomplete" | .config.command_line=["run","--backend","native","--reps","2","--launch",$l,"--out",$o] | del(.config.matrix) | .config.agent.path=$a' \
	--arg l "$TMP/evil.sh {agent}" --arg o "$TMP/elsewhere.json" --arg a "$(realpath "$BUILD/cvb-agent")" "$out" >"$TMP/forged.json"
check "--resume of a record naming a launcher -> exit 2, one line, nothing run" sh -c \
	"$CVBENCH run --resume $TMP/forged.json --quiet 2>$TMP/r.err; [ \$? -eq 2 ] && [ \$(wc -l <$TMP/r.err) -eq 1 ] && grep -q 'gives --launcher' $TMP/r.err && [ ! -e $TMP/ran ]"
jq '.status="incomplete" | .config.command_line=["run","--backend","native","--reps","2","--out",$o] | del(.config.matrix) | .config.agent.path=$a' \
	--arg o "$TMP/elsewhere.json" --arg a "$(realpath "$BUILD/cvb-agent")" "$out" >"$TMP/forged.json"
check "--resume writes to its FILE, not to the record's --out" sh -c \
	"$CVBENCH run --resume $TMP/forged.json --quiet && [ ! -e $TMP/elsewhere.json ] && jq -e '.status==\"ok\"' $TMP/forged.json"

# --- a group run (density) cut short and resumed ---------------------------
if [ "$(id -u)" -eq 0 ]; then
	# Interrupted once the agents of a second round are up (a child PID
	# other than the first round's); 40 rounds of 100 ms settle cannot end
	# in the meantime.
	out="$TMP/gint.json"
	$CVBENCH run --backend container --workload idle --instances 2 --reps 40 --warmup 0 \
		--settle-ms 100 --gap-ms 10 --quiet --out "$out" &
	pid=$!
	first="" now=""
	for _ in $(seq 600); do
		now=$(pgrep -P $pid | head -n1)
		[ -z "$first" ] && first=$now
		[ -n "$now" ] && [ "$now" != "$first" ] && break
		sleep 0.02
	done
	kill -INT $pid
	wait $pid
	rc=$?
	check "density SIGINT: exit 130, incomplete, resumable" sh -c \
		"[ $rc -eq 130 ] && jq -e '.status==\"incomplete\" and .cells[0].launch_counts.rounds < 40' $out"
	check "density --resume: 40 rounds, 80 instances measured" sh -c \
		"$CVBENCH run --resume $out --quiet && jq -e '.status==\"ok\" and .cells[0].launch_counts.rounds==40 and (.cells[0].metrics.host_pss_bytes.samples|length)==80' $out"
	check "density --resume: nothing left behind" nothing_left
fi

finish
