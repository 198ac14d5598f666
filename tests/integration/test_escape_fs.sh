#!/usr/bin/env bash
# Escapes through the run directory (issue 12, finding 1), tried on the host
# while a container run is live (root):
# - a local user (nobody) can neither list nor enter the run directory, nor
#   write into the rootfs's scratch; nothing on the path is world-writable;
# - the container's root (its host uid, the owner of scratch) plants
#   symlinks to a sentinel directory and swaps directories for symlinks to
#   it (renameat2 RENAME_EXCHANGE, in a loop) while root tears the tree
#   down: at the run's own end (SIGINT), and in `cvbench cleanup` after a
#   SIGKILLed run. The sentinel must survive both.
# Sentinels live only in this script's mktemp directory ($TMP).
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "container escapes: the run directory and its teardown"
if [ "$(id -u)" -ne 0 ]; then
	skip "run directory escapes" "needs root"
	finish
	exit $?
fi
if ! $CVBENCH list | grep -Eq '^  container +available'; then
	skip "run directory escapes" "$($CVBENCH list | grep -A1 '^  container' | tail -n1)"
	finish
	exit $?
fi

TOP=/var/lib/cvbench
FILES=400 DIRS=6 # per swapped directory; how many are swapped
SENT="$TMP/sentinel"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
as_croot() { setpriv --reuid="$CUID" --regid="$CGID" --clear-groups -- "$@"; }


# start_run NAME: a container run with a cpu-hog aggressor that stays up;
# sets PID, RID, CUID/CGID (the container root's host ids) and DIRS_OF_RUN.
start_run() {
	$CVBENCH run --backend container --workload cpu-victim --scenario cpu-hog \
		--reps 200 --warmup 0 --quiet --out "$TMP/$1.json" >"$TMP/$1.log" 2>&1 &
	PID=$!
	local hog
	# The ids from one read of a live hog's status (hogs come and go per
	# round): a few tries.
	CUID="" CGID="" RID=""
	for _ in 1 2 3 4 5; do
		read -r hog RID < <(hog_of $PID)
		[ -n "$hog" ] || break
		read -r CUID CGID < <(awk '/^Uid:/ {u=$2} /^Gid:/ {g=$2} END {print u, g}' "/proc/$hog/status" 2>/dev/null)
		[ -n "$CGID" ] && break
	done
	DIRS_OF_RUN=$(ls -d "$TOP/cvb-$RID" "$TOP/cvb-$RID"-* 2>/dev/null)
	[ -n "$RID" ] && [ -n "$DIRS_OF_RUN" ] && [ -n "$CUID" ] && [ "$CUID" != 0 ] && [ -n "$CGID" ]
}

stop_run() { # SIGNAL: stops the run, waits for it
	kill "-$1" "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
}

make_sentinel() {
	rm -rf "$SENT"
	mkdir -p "$SENT"
	(cd "$SENT" && for i in $(seq -w 0 $((FILES - 1))); do : >"f$i"; done && echo keep >marker)
}
sentinel_whole() {
	local n
	n=$(find "$SENT" -type f | wc -l)
	[ "$n" -eq $((FILES + 1)) ] || { echo "$((FILES + 1 - n)) of $((FILES + 1)) sentinel files were deleted"; return 1; }
}

# plant SCRATCH: as the container's root, directories d0.. full of files
# named like the sentinel's, a symlink s<i> to the sentinel beside each, and
# plain symlinks to the sentinel directory and one of its files.
plant() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	as_croot sh -c '
		cd "$1" || exit 1
		for d in $(seq 0 $(($2 - 1))); do
			mkdir "d$d" && (cd "d$d" && for i in $(seq -w 0 $(($3 - 1))); do : >"f$i"; done) &&
				ln -s "$4" "s$d" || exit 1
		done
		ln -s "$4" link && ln -s "$4/marker" flink' sh "$1" "$DIRS" "$FILES" "$SENT"
}

# race SCRATCH: as the container's root, swaps each d<i> with its symlink
# s<i> atomically, over and over, until stop_race; a symlink removed by the
# teardown is planted again. Runs in the background.
race() {
	# setpriv itself in the background (not a function's subshell), so
	# that $! is the racer and stop_race's kill reaches it.
	setpriv --reuid="$CUID" --regid="$CGID" --clear-groups -- /usr/bin/python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
scratch, sent, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
AT_FDCWD, RENAME_EXCHANGE = -100, 2
try:
    os.chdir(scratch)
except OSError:
    sys.exit(0)
while True:
    for i in range(n):
        d, s = b"d%d" % i, b"s%d" % i
        if libc.renameat2(AT_FDCWD, d, AT_FDCWD, s, RENAME_EXCHANGE) < 0:
            try:
                os.symlink(sent, s if os.path.isdir(d) else d)
            except OSError:
                pass
' "$1" "$SENT" "$DIRS" 2>/dev/null &
	RACER=$!
}
stop_race() { kill "$RACER" 2>/dev/null; wait "$RACER" 2>/dev/null; }

cannot() { ! "$@"; }
mode_of() { stat -c %a "$1"; }
none_world_writable() { # DIR: no file or directory under it others may write
	local w
	w=$(find "$1" -perm -o+w ! -type l 2>/dev/null)
	[ -z "$w" ] || { echo "world-writable: $w"; return 1; }
}
run_dir_gone() { # after a cleanup with nothing racing, for this run only
	$CVBENCH cleanup >/dev/null 2>&1
	local l
	l=$(ls -d "$TOP/cvb-$RID"* 2>/dev/null)
	[ -z "$l" ] || { echo "left: $l"; return 1; }
}

# --- a live run: who may look in -----------------------------------------------
make_sentinel
if start_run live; then
	pass "a container run with a cpu-hog agent is up (run $RID, container root uid $CUID)"
	check "$TOP is root's, mode 711" sh -c "[ \"\$(stat -c %u:%a $TOP)\" = 0:711 ]"
	for d in $DIRS_OF_RUN; do
		b=$(basename "$d")
		check "nobody cannot list $b" cannot as_nobody ls "$d"
		check "nobody cannot enter $b" cannot as_nobody sh -c "cd '$d'"
		check "nobody cannot write into $b/rootfs/scratch" cannot as_nobody touch "$d/rootfs/scratch/nobody-was-here"
		check "$b: mode 700, or 710 for the container root's group only" sh -c \
			"m=\$(stat -c %u:%g:%a '$d'); [ \"\$m\" = 0:0:700 ] || [ \"\$m\" = 0:$CGID:710 ]"
		check "$b: nothing world-writable in it" none_world_writable "$d"
		check "$b: scratch is the container root's (uid $CUID), mode 755" sh -c \
			"[ \"\$(stat -c %u:%a '$d/rootfs/scratch')\" = $CUID:755 ]"
	done
	# --- symlinks and a swap race at the run's own teardown ----------------------
	scratch="$(echo "$DIRS_OF_RUN" | head -n1)/rootfs/scratch"
	if plant "$scratch"; then
		race "$scratch"
		sleep 0.3
		stop_run INT
		stop_race
		check "teardown at the run's end (swap race): the sentinel survives" sentinel_whole
		check "teardown at the run's end: the planted file symlink's target survives" test -f "$SENT/marker"
		check "then nothing of the run is left (after a cleanup)" run_dir_gone
	else
		fail "the container's root plants symlinks in scratch" "as uid $CUID in $scratch"
		stop_run INT
	fi
else
	fail "a container run with a cpu-hog agent comes up" "$(tail -n 3 "$TMP/live.log")"
	stop_run KILL
fi

# --- a SIGKILLed run: the swap race during `cvbench cleanup` --------------------
make_sentinel
if start_run killed; then
	stop_run KILL
	sleep 0.5 # its agents die by themselves (test_orphans.sh)
	scratch="$(echo "$DIRS_OF_RUN" | head -n1)/rootfs/scratch"
	if plant "$scratch"; then
		race "$scratch"
		sleep 0.3
		$CVBENCH cleanup >"$TMP/cleanup.out" 2>&1
		stop_race
		check "cvbench cleanup (swap race): the sentinel survives" sentinel_whole
		check "cvbench cleanup: the planted file symlink's target survives" test -f "$SENT/marker"
		check "then nothing of the run is left (after a second cleanup)" run_dir_gone
	else
		fail "the container's root plants symlinks in scratch" "as uid $CUID in $scratch"
		$CVBENCH cleanup >/dev/null 2>&1
	fi
else
	fail "a container run with a cpu-hog agent comes up" "$(tail -n 3 "$TMP/killed.log")"
	stop_run KILL
	$CVBENCH cleanup >/dev/null 2>&1
fi

finish
