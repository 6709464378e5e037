#!/bin/sh
# Per-step CPU of the pay journey's server, read from its CPU profile:
# server CPU and writer CPU (inside tenants.DB.Tx) per family and step.
# CPU time is far steadier than the writer's wall-clock "held" time on a
# shared machine.
#
#   go build -o /tmp/load ./bench/load
#   /tmp/load -families 1000 -capacity 1000 -arrival 10s -cpuprofile /tmp/cpu.out
#   bench/load/steps.sh /tmp/cpu.out 1000
set -eu
prof=${1:?usage: steps.sh PROFILE [FAMILIES]}
n=${2:-1000}
# ms prints a pprof duration ("1.2s", "640ms", "0") as milliseconds per family.
ms() { awk -v v="${1:-0}" -v n="$n" 'BEGIN { f = 1; if (v ~ /ms$/) { f = 0.001 } sub(/m?s$/, "", v); printf "%.2f", v * f * 1000 / n }'; }
tags=$(go tool pprof -tags "$prof" 2>/dev/null)
printf '%-10s %14s %14s\n' step 'cpu ms/fam' 'writer ms/fam'
cpu_all=0
for s in home agenda periodform period validate payform card return receipt; do
	c=$(printf '%s\n' "$tags" | awk -v s="$s" '$NF == s { print $1; exit }')
	w=$(go tool pprof -top -cum -tagfocus="step=$s" -focus='tenants\.\(\*DB\)\.Tx$' "$prof" 2>/dev/null |
		awk '/tenants\.\(\*DB\)\.Tx$/ { print $4; exit }')
	printf '%-10s %14s %14s\n' "$s" "$(ms "$c")" "$(ms "$w")"
done
total=$(go tool pprof -top "$prof" 2>/dev/null | awk '/Total samples/ { for (i = 1; i <= NF; i++) if ($i == "=") print $(i + 1) }')
w=$(go tool pprof -top -cum -focus='tenants\.\(\*DB\)\.Tx$' "$prof" 2>/dev/null | awk '/tenants\.\(\*DB\)\.Tx$/ { print $4; exit }')
printf '%-10s %14s %14s\n' all "$(ms "$total")" "$(ms "$w")"
