#!/usr/bin/env bash
# expect_error.sh REGEX CMD ARGS...: passes when CMD exits non-zero (and did not crash) and its
# output matches REGEX, so a CLI test checks both the exit code and that the message says why.
set -u
regex=$1
shift
output=$("$@" 2>&1)
rc=$?
printf '%s\n' "$output"
if [[ $rc -eq 0 ]]; then echo "expected a non-zero exit code"; exit 1; fi
if [[ $rc -ge 128 ]]; then echo "crashed with signal $((rc - 128))"; exit 1; fi
if ! grep -Eq -- "$regex" <<<"$output"; then echo "output does not match: $regex"; exit 1; fi
