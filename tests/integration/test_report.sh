#!/usr/bin/env bash
# `cvbench plot` and `cvbench report` on a short native + container run of
# ready, syscall and audit: the images are there and sane, the report holds
# the seed table and embeds its plots with no outside reference, and
# without gnuplot plot fails cleanly while report still writes.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

echo "plot and report"

ABS="$PWD/$CVBENCH"
R="$TMP/r.json"
GNUPLOT_MSG="cvbench plot: gnuplot not found: install it with 'apt-get install gnuplot-nox'"

# syscall: 2 ms per timed loop and 3 loops keep its 8 operations near 50 ms.
$CVBENCH run --backend native,container --workload ready,syscall,audit --reps 5 --warmup 1 \
	--param target_ms=2 --param repeats=3 --settle-ms 0 --gap-ms 0 --quiet --out "$R" \
	>"$TMP/run.out" 2>&1
rc=$?
if [ ! -s "$R" ]; then
	fail "run native,container x ready,syscall,audit" "rc=$rc, no results: $(tail -n 3 "$TMP/run.out")"
	finish
	exit 1
fi
pass "run native,container x ready,syscall,audit (exit $rc)"

if ! command -v gnuplot >/dev/null; then
	skip "plots" "gnuplot is not installed (scripts/setup.sh installs gnuplot-nox)"
else
	check "plot exits 0 into the default directory" $CVBENCH plot "$R"
	# size_between FILE: non-empty and 2 KB .. 2 MB, a plausible figure.
	size_between() {
		local s
		s=$(stat -c %s "$1") && [ "$s" -ge 2048 ] && [ "$s" -le 2097152 ]
	}
	for p in startup phases syscall; do
		for ext in png svg; do
			check "plots/$p.$ext exists, 2 KB .. 2 MB" size_between "$TMP/plots/$p.$ext"
		done
		check "plots/$p.dat is tab-separated data" grep -qP '^[^#].*\t' "$TMP/plots/$p.dat"
	done
	check "startup.png is a PNG" sh -c "file -b '$TMP/plots/startup.png' | grep -q '^PNG image'"
	check "startup.svg is SVG" grep -q '<svg' "$TMP/plots/startup.svg"
	check "manifest: density and slowdown not made, with reasons" sh -c \
		"grep -qP '^density\tnot made\t.+' '$TMP/plots/manifest.tsv' &&
		 grep -qP '^slowdown\tnot made\t.+' '$TMP/plots/manifest.tsv'"
	check "no density image without density cells" test ! -e "$TMP/plots/density.png"
	check "plot again replaces the directory" $CVBENCH plot "$R" --format png
	check "... with PNG only now" sh -c "[ -s '$TMP/plots/startup.png' ] && [ ! -e '$TMP/plots/startup.svg' ]"
	check "no temporary directory left" sh -c "! ls -a '$TMP' | grep -q '^\.plots\.tmp'"
	check "the kept gnuplot script redraws in place" sh -c \
		"cd '$TMP/plots' && rm startup.png && gnuplot startup.gnuplot && [ -s startup.png ]"

	mkdir -p "$TMP/foreign" && touch "$TMP/foreign/keep"
	$CVBENCH plot "$R" --out-dir "$TMP/foreign" >"$TMP/f.out" 2>"$TMP/f.err"
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$TMP/f.err")" -eq 1 ] && [ -e "$TMP/foreign/keep" ]; then
		pass "a foreign non-empty --out-dir is refused (exit 2), left as it was"
	else
		fail "foreign --out-dir" "rc=$rc $(cat "$TMP/f.err")"
	fi
	$CVBENCH plot "$R" --format gif >"$TMP/g.out" 2>"$TMP/g.err"
	rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$TMP/g.err")" -eq 1 ] &&
		pass "--format gif -> exit 2: $(cat "$TMP/g.err")" || fail "--format gif" "rc=$rc"

	check "report exits 0" $CVBENCH report "$R"
	check "report.md has the seed table header" grep -qF \
		'| Feature | native | container | Seed'"'"'s claim (containers / VMs) |' "$TMP/report.md"
	check "report.md names the container backend" grep -q 'container' "$TMP/report.md"
	# row_has FEATURE REGEX: the seed table's row FEATURE matches REGEX.
	row_has() { grep "^| $1" "$TMP/report.md" | grep -qE "$2"; }
	check "report.md: syscall overhead of the container as a ratio to native" \
		row_has 'Syscall overhead' 'baseline: .* \| [0-9.]+× \['
	check "report.md: native and container share the host's kernel" \
		row_has 'Kernel' 'shared: .*shared: '
	check "report.md: VM-less noisy-neighbour rows say not measured" \
		row_has 'Noisy-neighbour slowdown, no limits' 'not measured'
	check "report.md links its plots" grep -qF '](plots/startup.png)' "$TMP/report.md"
	check "report.html embeds PNG plots" grep -qF 'data:image/png;base64,' "$TMP/report.html"
	check "report.html refers to nothing outside itself" sh -c \
		"! grep -qiE 'https?://' '$TMP/report.html' && ! grep -qiE '(src|href)=\"[^d#]' '$TMP/report.html'"
	check "report.html parses, its images all data URIs" python3 -c '
import html.parser, sys
class P(html.parser.HTMLParser):
    imgs = 0
    def handle_starttag(self, tag, attrs):
        if tag == "img":
            src = dict(attrs).get("src", "")
            assert src.startswith("data:image/png;base64,"), src[:40]
            P.imgs += 1
p = P()
p.feed(open(sys.argv[1]).read())
assert P.imgs >= 3, P.imgs
' "$TMP/report.html"
fi

# Without gnuplot: plot refuses in one line and writes nothing; report
# still writes and says why the plots are missing.
env PATH=/nonexistent "$ABS" plot "$R" --out-dir "$TMP/np" >"$TMP/np.out" 2>"$TMP/np.err"
rc=$?
if [ $rc -eq 2 ] && [ "$(cat "$TMP/np.err")" = "$GNUPLOT_MSG" ] && [ ! -s "$TMP/np.out" ] &&
	[ ! -e "$TMP/np" ] && ! ls -a "$TMP" | grep -q '^\.np\.tmp'; then
	pass "no gnuplot: plot exits 2 with one line, no plots directory"
else
	fail "no gnuplot: plot" "rc=$rc stderr=$(cat "$TMP/np.err")"
fi
mkdir -p "$TMP/nogp"
env PATH=/nonexistent "$ABS" report "$R" --out-dir "$TMP/nogp" >"$TMP/ng.out" 2>"$TMP/ng.err"
rc=$?
if [ $rc -eq 0 ] && [ -s "$TMP/nogp/report.md" ] && [ -s "$TMP/nogp/report.html" ] &&
	[ ! -e "$TMP/nogp/plots" ]; then
	pass "no gnuplot: report still writes report.md and report.html"
else
	fail "no gnuplot: report" "rc=$rc $(cat "$TMP/ng.err")"
fi
check "no gnuplot: the report says why the plots are missing" grep -qF \
	"The plots are missing: gnuplot not found: install it with 'apt-get install gnuplot-nox'" \
	"$TMP/nogp/report.md"
check "no gnuplot: the seed table is there all the same" grep -q '^| Startup time, p50 |' \
	"$TMP/nogp/report.md"

$CVBENCH report "$TMP/missing.json" >"$TMP/m.out" 2>"$TMP/m.err"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$TMP/m.err")" -eq 1 ] && [ ! -e "$TMP/report.md.tmp" ] &&
	pass "report of a missing file -> exit 2: $(cat "$TMP/m.err")" || fail "report of a missing file" "rc=$rc"

finish
