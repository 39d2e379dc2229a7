#!/usr/bin/env bash
# Where a query's instructions go: runs the writer under callgrind against 6 real storage
# nodes, drives it with pgbench and prints instructions per transaction and the top functions.
#
#   bench/callgrind_writer.sh [pgbench flags...]     (default: -n -S -t 2000 -c 1)
#
# Environment: BUILD (build dir, default build), PORT (base port, default 58200), SCALE
# (pgbench -i scale, default 1), WARMUP (seconds of pgbench -S before measuring, default 20), KEEP=1 keeps the data directory and callgrind output.
set -euo pipefail
BUILD=${BUILD:-build}
PORT=${PORT:-58200}
SCALE=${SCALE:-1}
NORDLYS=$BUILD/bin/nordlys
PGBIN=/usr/lib/postgresql/15/bin
FLAGS=("$@")
[ ${#FLAGS[@]} -eq 0 ] && FLAGS=(-n -S -t 2000 -c 1)
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
[ -x "$NORDLYS" ] || { echo "$NORDLYS not built (make build)" >&2; exit 1; }

DIR=$(mktemp -d /tmp/nordlys-cg.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] && echo "kept $DIR" || rm -rf "$DIR"
}
trap cleanup EXIT

STORAGE=""
AZS=(az-a az-a az-b az-b az-c az-c)
for n in 1 2 3 4 5 6; do
  az=${AZS[$((n - 1))]}
  "$NORDLYS" storage --data-dir "$DIR/storage-$n" --az "$az" --node-id "$n" \
    --listen "127.0.0.1:$((PORT + n))" --ready-file "$DIR/storage-$n.ready" --log-level warn \
    2>>"$DIR/storage.log" &
  PIDS+=($!)
  STORAGE+="${STORAGE:+,}$az=127.0.0.1:$((PORT + n))"
done
for n in 1 2 3 4 5 6; do
  for _ in $(seq 100); do [ -s "$DIR/storage-$n.ready" ] && break; sleep 0.1; done
done

wait_ready() {
  for _ in $(seq 600); do [ -s "$DIR/writer.ready" ] && return 0; sleep 0.1; done
  echo "writer did not start; see $DIR/writer.log" >&2
  exit 1
}
URL="postgresql://postgres@127.0.0.1:$PORT/postgres"

# Load the data with a writer at full speed, then restart it under callgrind.
"$NORDLYS" instance --storage "$STORAGE" --listen "127.0.0.1:$PORT" --ready-file "$DIR/writer.ready" \
  --log-level warn 2>>"$DIR/writer.log" &
WPID=$!
PIDS+=($WPID)
wait_ready
"$PGBIN/pgbench" -q -i -s "$SCALE" "$URL" >/dev/null 2>&1
kill "$WPID"
wait "$WPID" 2>/dev/null || true
rm -f "$DIR/writer.ready"

valgrind --tool=callgrind --callgrind-out-file="$DIR/cg.out" --instr-atstart=no \
  "$NORDLYS" instance --storage "$STORAGE" --listen "127.0.0.1:$PORT" \
  --ready-file "$DIR/writer.ready" --log-level warn 2>>"$DIR/writer.log" &
VPID=$!
PIDS+=($VPID)
wait_ready
# Warm the page cache first (outside the measurement): a cold read goes to storage.
"$PGBIN/pgbench" -n -S -c 2 -T "${WARMUP:-20}" "$URL" >/dev/null 2>&1
callgrind_control -i on "$VPID" >/dev/null 2>&1
"$PGBIN/pgbench" "${FLAGS[@]}" "$URL" 2>&1 | grep -E "^(number of transactions actually|tps)" || true
callgrind_control -i off "$VPID" >/dev/null 2>&1
callgrind_control -d "$VPID" >/dev/null 2>&1
sleep 1
OUT=$(ls -t "$DIR"/cg.out* | head -1)
TXNS=0 CLIENTS=1 prev=""
for f in "${FLAGS[@]}"; do
  [ "$prev" = -t ] && TXNS=$f
  [ "$prev" = -c ] && CLIENTS=$f
  prev=$f
done
TOTAL=$(callgrind_annotate "$OUT" 2>/dev/null | awk '/PROGRAM TOTALS/{gsub(",","",$1); print $1}')
echo "instructions: $TOTAL"
[ "$TXNS" -gt 0 ] && echo "per transaction: $((TOTAL / (TXNS * CLIENTS)))"
callgrind_annotate --inclusive=yes "$OUT" 2>/dev/null | sed -n "/^Ir/,\$p" | head -45 || true
