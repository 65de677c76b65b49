#!/usr/bin/env bash
# Usage: scripts_check.sh SCRIPTS_DIR BUILD_DIR
#  1. Every script parses (bash -n).
#  2. No unquoted heredoc (<<WORD, which expands) holds an unescaped backtick: bash would run the
#     text between two of them as a command and drop it from the generated file (scripts/demo once
#     printed "switchboard: command not found" and lost a comment of the config it writes).
#  3. scripts/demo builds only named targets, each of which the build knows.
set -uo pipefail
dir=$1
build=$2
fail=0
for script in "$dir"/*; do
  [[ -f $script ]] || continue
  head -1 "$script" | grep -q bash || continue
  bash -n "$script" || { echo "FAIL: $script does not parse"; fail=1; }
  awk -v file="$script" '
    delim == "" {
      if (match($0, /<<-?[A-Za-z_][A-Za-z0-9_]*/)) {
        word = substr($0, RSTART, RLENGTH); sub(/^<<-?/, "", word); delim = word; start = NR
      }
      next
    }
    {
      line = $0; sub(/^\t+/, "", line)
      if (line == delim) { delim = ""; next }
      stripped = $0; gsub(/\\\\/, "", stripped); gsub(/\\`/, "", stripped)
      if (index(stripped, "`") > 0) {
        printf "FAIL: %s:%d: unescaped backtick in the unquoted heredoc opened on line %d\n", file, NR, start
        bad = 1
      }
    }
    END { exit bad }' "$script" || fail=1
done

build_line=$(grep -E '^"\$ROOT/scripts/build"' "$dir/demo")
read -r -a words <<<"${build_line#*\"\$ROOT/scripts/build\"}"
if ((${#words[@]} == 0)); then
  echo "FAIL: scripts/demo builds every target (tests included); name what the demo runs"
  fail=1
fi
known=$(cmake --build "$build" --target help 2>/dev/null)
for target in "${words[@]}"; do
  if ! grep -qE "(^|[[:space:]])$target(:|[[:space:]]|$)" <<<"$known"; then
    echo "FAIL: scripts/demo builds \"$target\", which is no target of the build"
    fail=1
  fi
done
exit $fail
