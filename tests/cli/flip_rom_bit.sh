#!/bin/sh
# Flips one bit of one word of a $readmemh ROM image in place: flip_rom_bit.sh IMAGE WORD BIT
# (WORD counts from 1, BIT from 0 = the least significant bit of lane 0).
set -eu
image=$1 word=$2 bit=$3
awk -v word="$word" -v bit="$bit" '
  NR == word {
    hex = "0123456789abcdef"; n = length($0); at = n - int(bit / 4)
    v = index(hex, tolower(substr($0, at, 1))) - 1; m = 2 ^ (bit % 4)
    v = (int(v / m) % 2) ? v - m : v + m
    $0 = substr($0, 1, at - 1) substr(hex, v + 1, 1) substr($0, at + 1)
  }
  { print }' "$image" >"$image.flipped"
mv "$image.flipped" "$image"
