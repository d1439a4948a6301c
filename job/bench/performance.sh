#!/usr/bin/env bash
# Performance: the detector in-process (1 and 2 threads) and the whole job end to end on the local
# stack (Kafka broker, JobManager, one TaskManager with two slots; parallelism 2), on 1920x1080 JPEG
# frames made from the test photos. Usage, from the repository root after `mvn -B verify`:
#   job/bench/performance.sh [FULL_LOAD_EVENTS] [HALF_LOAD_SECONDS] [SIZE_POLICY]
# Extra flags for the job (e.g. --capacity 4) can be given in JOB_FLAGS, the checkpoint interval in
# CHECKPOINT_INTERVAL (default 1s), the number of job runs in RUNS (default 3); SKIP_DETECTOR=1 runs
# the job part only.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-1500}
half_seconds=${2:-40}
size=${3:-letterbox:640}
work=$(mktemp -d)
export FACESTREAM_LOCAL_DIR=${FACESTREAM_LOCAL_DIR:-/tmp/facestream-perf}
export KAFKA_PORT=${KAFKA_PORT:-29092} KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-29093}
export FLINK_REST_PORT=${FLINK_REST_PORT:-28081} FLINK_RPC_PORT=${FLINK_RPC_PORT:-26123}
# One TaskManager JVM with a slot per core: a second TaskManager JVM only adds its own JIT, GC and
# runtime threads on the same two cores (52.2 against 48.1 images/s, BENCHMARKS.md).
export TASKMANAGERS=${TASKMANAGERS:-1} TASKMANAGER_SLOTS=${TASKMANAGER_SLOTS:-2}
bootstrap=127.0.0.1:$KAFKA_PORT
trap 'deploy/local/stack.sh clean >/dev/null; rm -rf "$work"' EXIT

java -cp job/target/facestream.jar job/bench/DetectorBench.java frames testdata "$work/frames" 16
if [ -z "${SKIP_DETECTOR:-}" ]; then
echo "== detector in-process"
java -cp job/target/facestream.jar job/bench/DetectorBench.java run "$work/frames" 150 "$size"
echo "== levers, one thread"
java -cp job/target/facestream.jar job/bench/DetectorBench.java levers "$work/frames" 100
fi

runs=${RUNS:-3}
for run in $(seq 1 "$runs"); do
echo "== whole job on the local stack, run $run of $runs"
deploy/local/stack.sh clean >/dev/null
deploy/local/stack.sh start >/dev/null
java -jar job/target/facestream.jar topics --bootstrap-servers "$bootstrap" --input-topic images \
  --output-topic detections --dead-letter-topic dead-letters --partitions 2 >/dev/null
java -cp job/target/facestream.jar job/bench/JobBench.java fill "$bootstrap" "$work/frames" "$count"
deploy/local/stack.sh submit --bootstrap-servers "$bootstrap" --input-topic images --output-topic detections \
  --dead-letter-topic dead-letters --parallelism 2 --checkpoint-interval "${CHECKPOINT_INTERVAL:-1s}" --size "$size" \
  --starting-offsets earliest ${JOB_FLAGS:-} >/dev/null
java -cp job/target/facestream.jar job/bench/JobBench.java measure "$bootstrap" "$work/frames" "$count" "$half_seconds" \
  | tee -a "$work/job-results.txt"
done
echo "== median of $runs runs"
median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
echo "job throughput $(sed -n 's/^result: throughput \([0-9.]*\) .*/\1/p' "$work/job-results.txt" | median) images/s;" \
  "half-load p99 / single-image median $(sed -n 's/.*single-image median = \([0-9.]*\);.*/\1/p' "$work/job-results.txt" | median)"
