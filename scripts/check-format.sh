#!/usr/bin/env bash
# Fails, naming the files, when C++ is not as .clang-format has it or a line of C++ is longer
# than its column limit (clang-format leaves long string literals and URLs alone). Fix with:
#   clang-format-14 -i $(git ls-files '*.cpp' '*.hpp')
# The version is pinned: another clang-format formats some constructs differently.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(find src tests bench -name '*.cpp' -o -name '*.hpp' | sort)
status=0
if ! clang-format-14 --dry-run --Werror "${files[@]}" 2>/dev/null; then
  clang-format-14 --dry-run "${files[@]}" 2>&1 | sed -nE 's/^([^ :]+):[0-9]+:[0-9]+: .*/\1/p' |
    sort -u | sed 's/^/check-format: not formatted: /' >&2
  status=1
fi
limit=$(sed -n 's/^ColumnLimit: *//p' .clang-format)
# Columns are characters, as clang-format counts them, not bytes.
long=$(LC_ALL=C.UTF-8 grep -nE "^.{$((limit + 1)),}$" "${files[@]}" | cut -d: -f1,2 || true)
if [[ -n $long ]]; then
  sed "s/^/check-format: /; s/\$/: longer than $limit columns/" <<<"$long" >&2
  status=1
fi
exit $status
