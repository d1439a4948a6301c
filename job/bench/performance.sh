#!/usr/bin/env bash
# Performance: the detector in-process (1 and 2 threads) and the whole job end to end on the local
# stack (Kafka broker, JobManager, one TaskManager with two slots; parallelism 2), on 1920x1080 JPEG
# frames made from the test photos. Usage, from the repository root after `mvn -B verify`:
#   job/bench/performance.sh [FULL_LOAD_EVENTS] [HALF_LOAD_SECONDS] [SIZE_POLICY]
# Each job run is preceded by a two-thread detector run on the same (idle) machine, so that every
# job figure has its own detector figure: the job/detector ratio is taken per run, and its median
# reported with the medians of both (this machine's speed drifts by 10 % and more within an hour).
# Extra flags for the job (e.g. --capacity 4, or --track with SOURCES=N: events from N cameras keyed by camera) can be given in JOB_FLAGS,
# topics the job writes besides its results and dead letters (e.g. --crops-topic crops, also in JOB_FLAGS) in TOPICS_FLAGS, the checkpoint interval in
# CHECKPOINT_INTERVAL (default 1s), the delivery guarantee in DELIVERY_GUARANTEE (exactly-once, the default, or
# at-least-once; job/bench/latency.sh compares the two), the number of job runs in RUNS (default 3), the events ahead of
# the measured backlog in WARMUP_EVENTS (default 1500); SKIP_DETECTOR=1 runs the job part only,
# SKIP_LEVERS=1 leaves out the one-thread levers (model and session per image, batches at the model).
# CPU: the detector run prints its process's CPU time per image; the job run the CPU time per image
# of the TaskManager (split by thread name), the broker, the JobManager and the benchmark's
# consumer over the same middle 80 % of the full-load results that the throughput is taken over;
# the TaskManager/detector CPU ratio is taken per run. JFR=DIR records a JFR of the TaskManager per
# run (DIR/taskmanager-RUN.jfr), and of the broker (DIR/broker-RUN.jfr), and prints their hot
# methods within that window. The JIT compiler threads' CPU is shown apart: with a short warm-up
# they are still busy in the window, which a long-running job is not.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-1500}
half_seconds=${2:-40}
size=${3:-fit:640}
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
echo "== detector in-process, 1 thread"
java -cp job/target/facestream.jar job/bench/DetectorBench.java run "$work/frames" 150 "$size" 1
fi
if [ -z "${SKIP_DETECTOR:-}${SKIP_LEVERS:-}" ]; then
echo "== levers, one thread"
java -cp job/target/facestream.jar job/bench/DetectorBench.java levers "$work/frames" 100
fi

runs=${RUNS:-3}
for run in $(seq 1 "$runs"); do
if [ -z "${SKIP_DETECTOR:-}" ]; then
echo "== detector in-process, 2 threads, before job run $run"
java -cp job/target/facestream.jar job/bench/DetectorBench.java run "$work/frames" 400 "$size" 2 | tee -a "$work/detector-results.txt"
fi
echo "== whole job on the local stack, run $run of $runs, ${DELIVERY_GUARANTEE:-exactly-once}"
deploy/local/stack.sh clean >/dev/null
if [ -n "${JFR:-}" ]; then
  mkdir -p "$JFR"
  jfr_file=$(cd "$JFR" && pwd)/taskmanager-$run.jfr
  TASKMANAGER_JAVA_OPTS="${TASKMANAGER_JAVA_OPTS:-} -XX:StartFlightRecording=filename=$jfr_file,settings=profile,dumponexit=true" \
    deploy/local/stack.sh start >/dev/null
else
  deploy/local/stack.sh start >/dev/null
fi
pids=$FACESTREAM_LOCAL_DIR/pids
if [ -n "${JFR:-}" ]; then
  jcmd "$(cat "$pids/kafka")" JFR.start name=bench settings=profile >/dev/null
fi
java -jar job/target/facestream.jar topics --bootstrap-servers "$bootstrap" --input-topic images \
  --output-topic detections --dead-letter-topic dead-letters --partitions 2 ${TOPICS_FLAGS:-} >/dev/null
java -cp job/target/facestream.jar job/bench/JobBench.java fill "$bootstrap" "$work/frames" "$count"
deploy/local/stack.sh submit --bootstrap-servers "$bootstrap" --input-topic images --output-topic detections \
  --dead-letter-topic dead-letters --parallelism 2 --checkpoint-interval "${CHECKPOINT_INTERVAL:-1s}" --size "$size" \
  --starting-offsets earliest --delivery-guarantee "${DELIVERY_GUARANTEE:-exactly-once}" ${JOB_FLAGS:-} >/dev/null
PIDS="taskmanager=$(cat "$pids/taskmanager-1"),broker=$(cat "$pids/kafka"),jobmanager=$(cat "$pids/jobmanager")" \
  java -cp job/target/facestream.jar job/bench/JobBench.java measure "$bootstrap" "$work/frames" "$count" "$half_seconds" \
  | tee "$work/job-run.txt"
cat "$work/job-run.txt" >> "$work/job-results.txt"
if [ -n "${JFR:-}" ]; then
  jcmd "$(cat "$pids/kafka")" JFR.dump name=bench filename="${jfr_file%taskmanager-*}broker-$run.jfr" >/dev/null
  deploy/local/stack.sh stop-taskmanager 1 >/dev/null
  window=$(sed -n 's/^cpu window: \([0-9]*\) \([0-9]*\).*/\1 \2/p' "$work/job-run.txt")
  echo "== JFR of the TaskManager"
  java job/bench/JfrHot.java "$jfr_file" $window
  echo "== JFR of the broker"
  java job/bench/JfrHot.java "${jfr_file%taskmanager-*}broker-$run.jfr" $window
fi
done
echo "== median of $runs runs"
median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
sed -n 's/^result: throughput \([0-9.]*\) .*/\1/p' "$work/job-results.txt" > "$work/job.txt"
echo "job throughput, runs: $(paste -sd' ' "$work/job.txt") images/s; median $(median < "$work/job.txt")"
if [ -z "${SKIP_DETECTOR:-}" ]; then
  sed -n 's/^threads 2: \([0-9.]*\) images.*/\1/p' "$work/detector-results.txt" > "$work/detector.txt"
  paste "$work/job.txt" "$work/detector.txt" | awk '{printf "%.3f\n", $1 / $2}' > "$work/ratio.txt"
  echo "detector 2 threads, runs: $(paste -sd' ' "$work/detector.txt") images/s; median $(median < "$work/detector.txt")"
  echo "job / detector per run: $(paste -sd' ' "$work/ratio.txt"); median $(median < "$work/ratio.txt")"
  sed -n 's/^threads 2: .* cpu \([0-9.]*\) ms\/image, \([0-9.]*\) without.*/\1 \2/p' "$work/detector-results.txt" > "$work/detector-cpu.txt"
  sed -n 's/^result: .*taskmanager CPU \([0-9.]*\) ms\/image, \([0-9.]*\) without.*/\1 \2/p' "$work/job-results.txt" > "$work/tm-cpu.txt"
  paste "$work/tm-cpu.txt" "$work/detector-cpu.txt" | awk '{printf "%.3f %.3f\n", $1 / $3, $2 / $4}' > "$work/cpu-ratio.txt"
  echo "CPU ms/image (all threads, without JIT compiler threads), taskmanager per run: $(paste -sd';' "$work/tm-cpu.txt"); detector (2 threads) per run: $(paste -sd';' "$work/detector-cpu.txt")"
  echo "taskmanager / detector CPU per image, per run: $(cut -d' ' -f1 "$work/cpu-ratio.txt" | paste -sd' '); median $(cut -d' ' -f1 "$work/cpu-ratio.txt" | median)"
  echo "the same without the JIT compiler threads, per run: $(cut -d' ' -f2 "$work/cpu-ratio.txt" | paste -sd' '); median $(cut -d' ' -f2 "$work/cpu-ratio.txt" | median)"
fi
echo "half-load p99 / single-image median, median of runs: $(sed -n 's/.*single-image median = \([0-9.]*\);.*/\1/p' "$work/job-results.txt" | median)"
