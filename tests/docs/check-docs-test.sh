#!/usr/bin/env bash
# scripts/check_docs.py on one checked table of docs/benchmarks.md (the SplineCNN Deep Compression
# table, read from its committed archive): it passes as committed, every number in it fails once
# its last digit changes (--mutate), a changed number is named by file, line, row and column, and
# a malformed comment (an unknown column kind, an opener not on a line of its own) or a missing
# archive is refused with exit 2 and a message naming it.
# Usage: check-docs-test.sh GRAPHSQUEEZE_CLI SOURCE_DIR
set -euo pipefail
cli="$1"
src="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
check() { python3 "$src/scripts/check_docs.py" --cli "$cli" --root "$src" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

# The block: from its comment to the end of its table.
awk '/^<!-- check-docs/ { block = "" } /^<!-- check-docs/, /^$/ { block = block $0 "\n" }
     /^$/ && block ~ /cora-spline-deep-compression/ { printf "%s", block; exit }' \
  "$src/docs/benchmarks.md" >"$work/doc.md"
rows=$(($(grep -c '^|' "$work/doc.md") - 2))
[ "$rows" -eq 8 ] || fail "expected the 8 rows of the SplineCNN table, found $rows"

out=$(check "$work/doc.md") || fail "the committed table does not pass: $out"
grep -q "1 table(s), 86 number(s) checked" <<<"$out" || fail "unexpected count: $out"
check --mutate "$work/doc.md" >/dev/null || fail "a changed number still passes (--mutate)"

# One number changed: the 95 % row's 4-bit mean ratio.
line=$(grep -n '| \*\*global 0.95 → QAT INT8 → sharing 4 bits' "$work/doc.md" | cut -d: -f1)
sed 's/59\.78 \/ 61\.75 \/ 63\.62/59.78 \/ 61.76 \/ 63.62/' "$work/doc.md" >"$work/changed.md"
cmp -s "$work/doc.md" "$work/changed.md" && fail "the sed found nothing to change"
set +e
msg=$(check "$work/changed.md" 2>&1)
rc=$?
set -e
[ $rc -eq 1 ] || fail "a changed number: exit $rc, expected 1 ($msg)"
grep -qF "$work/changed.md:$line: row '**global 0.95 → QAT INT8 → sharing 4 bits**', column 3 (smaller): printed '**59.78 / 61.76 / 63.62**', the rows give 59.78 / 61.75 / 63.62" <<<"$msg" \
  || fail "message: $msg"

# A column kind nobody knows, and an archive that is not there.
sed 's/^columns: label | bytes/columns: label | byts/' "$work/doc.md" >"$work/bad.md"
set +e
msg=$(check "$work/bad.md" 2>&1); rc=$?
set -e
[ $rc -eq 2 ] && grep -q "bad.md:[0-9]*: unknown column kind 'byts'" <<<"$msg" || fail "unknown kind: exit $rc ($msg)"
sed 's|^run: bench/results/pipeline-cora-spline-deep-compression/|run: bench/results/no-such-run/|' "$work/doc.md" >"$work/missing.md"
set +e
msg=$(check "$work/missing.md" 2>&1); rc=$?
set -e
[ $rc -eq 2 ] && grep -q "bench/results/no-such-run/results.tar.gz: no such archive" <<<"$msg" || fail "missing archive: exit $rc ($msg)"
# A comment that is not the block's opener on a line of its own would leave the table unchecked.
sed 's/^<!-- check-docs$/<!--check-docs/' "$work/doc.md" >"$work/opener.md"
set +e
msg=$(check "$work/opener.md" 2>&1); rc=$?
set -e
[ $rc -eq 2 ] && grep -q "opener.md:1: a check-docs comment starts with a line of its own" <<<"$msg" \
  || fail "a malformed opener: exit $rc ($msg)"
echo "check-docs: passes as committed, catches a changed digit, refuses bad comments"
