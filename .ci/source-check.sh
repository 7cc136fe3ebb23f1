#!/usr/bin/env bash
# Source rules of the task-pipeline design (issue 14), checked on every CI run:
#  1. no C# file under src/ over 350 lines (generated code lives in obj/ and is not tracked);
#  2. no object-typed row buffers in the ML.NET fit path (rows are read as typed values: List<object>, Func<object>,
#     object[] rows and the like are refused under src/Rnn.MLNet).
# Prints one line per breach and exits 1 if there is any.
set -uo pipefail
cd "$(dirname "$0")/.."

limit=350
status=0
while IFS= read -r file; do
  lines=$(wc -l < "$file")
  if [ "$lines" -gt "$limit" ]; then
    echo "source-check: $file has $lines lines (limit $limit): split it into files with one job each"
    status=1
  fi
done < <(git ls-files 'src/*.cs')

if hits=$(git grep -nE 'List<object\??>|Func<object\??>|IEnumerable<object\??>|object\[\] *row' -- 'src/Rnn.MLNet/*.cs'); then
  echo "source-check: object-typed row buffers in the ML.NET fit path (read typed rows instead):"
  echo "$hits"
  status=1
fi

[ "$status" -eq 0 ] && echo "source-check: ok ($(git ls-files 'src/*.cs' | wc -l) C# files, none over $limit lines; no object-typed row buffers)"
exit "$status"
