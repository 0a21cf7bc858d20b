#!/usr/bin/env bash
# constant_flow.sh OUT.flo WIDTH HEIGHT U V: a Middlebury .flo whose every pixel moves by (U, V), so
# that a test knows the EPE a command must report without computing it the same way.
set -euo pipefail
perl -e 'my ($w, $h, $u, $v) = @ARGV; print pack("a4 l< l< f<*", "PIEH", $w, $h, ($u, $v) x ($w * $h))' \
  "$2" "$3" "$4" "$5" > "$1"
