#!/usr/bin/env bash
# Latency with each delivery guarantee: the job part of performance.sh (the local stack, parallelism 2,
# 1920x1080 JPEG frames, 1 s checkpoints) with --delivery-guarantee exactly-once and then at-least-once,
# RUNS times (default 1) in alternation, so that both see the machine in the same state; then one table
# of single-image and half-load latency per run and guarantee. Usage, from the repository root after
# `mvn -B verify`:
#   job/bench/latency.sh [FULL_LOAD_EVENTS] [HALF_LOAD_SECONDS] [SIZE_POLICY]
# defaults 1500, 40 and fit:640 (the default model's default); WARMUP_EVENTS, CHECKPOINT_INTERVAL,
# JOB_FLAGS and the stack's ports and folder (FACESTREAM_LOCAL_DIR, KAFKA_PORT, ...) as for performance.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-1500}
half_seconds=${2:-40}
size=${3:-fit:640}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for run in $(seq 1 "${RUNS:-1}"); do
  for guarantee in exactly-once at-least-once; do
    # Other work on the machine shows in the tail latencies: the load average is kept with each run's figures.
    cut -d' ' -f1 /proc/loadavg > "$work/$run-$guarantee.load"
    DELIVERY_GUARANTEE=$guarantee SKIP_DETECTOR=1 RUNS=1 job/bench/performance.sh "$count" "$half_seconds" "$size" \
      | tee "$work/$run-$guarantee.txt"
  done
done

echo "== latency from event time to the result visible to a read_committed consumer, ms" \
  "(checkpoints every ${CHECKPOINT_INTERVAL:-1s}; $size; 30 single images one at a time; half load for $half_seconds s)"
echo "(detection: the results' own timings, operator receipt to result; load: the 1-minute load average before the run)"
printf '%-4s %-14s %14s %11s %12s %9s %9s %11s %15s %15s %5s\n' run guarantee single-median single-p99 half-rate/s half-p50 half-p99 \
  throughput/s detection-single detection-half load
printf '%-4s %-14s %14s %11s %12s %9s %9s %11s %15s %15s %5s\n' "" "" "" "" "" "" "" "" median/p99 median/p99 ""
for run in $(seq 1 "${RUNS:-1}"); do
  for guarantee in exactly-once at-least-once; do
    f="$work/$run-$guarantee.txt"
    printf '%-4s %-14s %14s %11s %12s %9s %9s %11s %15s %15s %5s\n' "$run" "$guarantee" \
      "$(sed -n 's/^single images: .* latency median \([0-9]*\) ms, p99 \([0-9]*\) ms.*/\1/p' "$f")" \
      "$(sed -n 's/^single images: .* latency median \([0-9]*\) ms, p99 \([0-9]*\) ms.*/\2/p' "$f")" \
      "$(sed -n 's/^half load: \([0-9.]*\) images.*/\1/p' "$f")" \
      "$(sed -n 's/^half load: .*latency p50 \([0-9]*\) ms.*/\1/p' "$f")" \
      "$(sed -n 's/^half load: .* p99 \([0-9]*\) ms.*/\1/p' "$f")" \
      "$(sed -n 's/^result: throughput \([0-9.]*\) .*/\1/p' "$f")" \
      "$(sed -n 's/^detection .* single images median \([0-9]*\) ms, p99 \([0-9]*\) ms;.*/\1\/\2/p' "$f")" \
      "$(sed -n 's/^detection .* half load median \([0-9]*\) ms, p99 \([0-9]*\) ms.*/\1\/\2/p' "$f")" \
      "$(cat "$work/$run-$guarantee.load")"
  done
done
