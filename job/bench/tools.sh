#!/usr/bin/env bash
# The tools on a folder of frames: `detect --input DIR` against `local --images DIR`, on distinct
# 1920x1080 JPEG frames (montages of the test photos, DetectorBench's generator) with the same
# number of threads: detect --threads T, local --parallelism T with one inference thread per subtask.
# Each local run follows its own detect run, and local/detect is taken per pair: this shared
# machine's speed drifts within minutes.
# Usage, from the repository root after `mvn -B -o -q -pl job -am package -DskipTests`:
#   job/bench/tools.sh [FRAMES] [THREADS]
# FRAMES defaults to 240, THREADS to the available processors. ANNOTATE lists the --annotate modes
# local runs with (default "jpeg none"), RUNS the rounds (default 1; medians of them at the end),
# JAR another build's facestream.jar. local's broker and Flink cluster take free ports and
# temporary folders, so nothing here collides with another run.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-240}
threads=${2:-$(nproc)}
jar=${JAR:-job/target/facestream.jar}
runs=${RUNS:-1}
modes=${ANNOTATE:-jpeg none}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

java -cp "$jar" job/bench/DetectorBench.java frames testdata "$work/frames" "$count" 2>/dev/null
echo "method: $count distinct 1920x1080 JPEG frames ($(( $(du -sk "$work/frames" | cut -f1) / count )) KB average), $threads thread(s)," \
  "$runs round(s) of, for each of --annotate $modes: detect --threads $threads, then local --parallelism $threads --inference-threads 1 --annotate MODE."
echo "detect's images/s: its own figure (model load to last result). local's: to the last annotated picture written" \
  "(to the last result with --annotate none), from the first image sent, and from the job's first image (after its" \
  "start-up: Flink tasks deployed, models loaded); its latency: event time to committed result."

median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
for run in $(seq 1 "$runs"); do
  for mode in $modes; do
    java -jar "$jar" detect --input "$work/frames" --output "$work/detect" --threads "$threads" > "$work/detect.txt"
    detect=$(sed -n 's/^Done: .*(\([0-9.]*\) images\/s).*/\1/p' "$work/detect.txt")
    echo "round $run: detect: $detect images/s" && echo "$detect" >> "$work/detect-rates.txt"
    rm -rf "$work/local"
    java -jar "$jar" local --images "$work/frames" --out "$work/local" --parallelism "$threads" --inference-threads 1 \
      --annotate "$mode" > "$work/local.txt"
    # The last figure of a line is the rate to the last picture where there are pictures, else to the last result.
    sent=$(sed -n 's/^From the first image sent: .* (\([0-9.]*\) images\/s) to the last [a-z]*\.$/\1/p' "$work/local.txt")
    started=$(sed -n "s/^From the job's first image .* (\([0-9.]*\) images\/s) to the last [a-z]*\.$/\1/p" "$work/local.txt")
    latency=$(sed -n 's/^Latency .*: median \([0-9]*\) ms.*/\1/p' "$work/local.txt")
    rate=$sent
    ratio=$(awk -v l="$sent" -v d="$detect" 'BEGIN {printf "%.2f", l / d}')
    ratio_started=$(awk -v l="$started" -v d="$detect" 'BEGIN {printf "%.2f", l / d}')
    echo "round $run: local --annotate $mode: $sent images/s from the first image sent (local/detect $ratio)," \
      "$started images/s after the job's start-up (local/detect $ratio_started), median latency $latency ms;" \
      "$(grep -h '^Annotated pictures\|^No annotated' "$work/local.txt")"
    echo "$ratio_started" >> "$work/local-$mode-ratios-started.txt"
    echo "$rate" >> "$work/local-$mode-rates.txt"
    echo "$ratio" >> "$work/local-$mode-ratios.txt"
    echo "$latency" >> "$work/local-$mode-latencies.txt"
  done
done
echo "== medians of $runs round(s)"
echo "detect --threads $threads: $(median < "$work/detect-rates.txt") images/s"
for mode in $modes; do
  echo "local --annotate $mode: $(median < "$work/local-$mode-rates.txt") images/s, median latency" \
    "$(median < "$work/local-$mode-latencies.txt") ms; local/detect per round $(paste -sd' ' "$work/local-$mode-ratios.txt")," \
    "median $(median < "$work/local-$mode-ratios.txt"); after the job's start-up: local/detect per round" \
    "$(paste -sd' ' "$work/local-$mode-ratios-started.txt"), median $(median < "$work/local-$mode-ratios-started.txt")"
done
