#!/usr/bin/env bash
# Memory soak: the job on the local stack (deploy/local/stack.sh: broker, JobManager, two
# TaskManagers) works through a backlog of COUNT events (default 20000) while the TaskManagers'
# resident memory is sampled. Usage, from the repository root after `mvn -B verify`:
#   job/bench/memory.sh [COUNT] [SLOTS]
# With SLOTS > 1 the stack has one TaskManager of SLOTS slots instead of two of one slot.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-20000}
slots=${2:-1}
if [ "$slots" -gt 1 ]; then export TASKMANAGERS=1 TASKMANAGER_SLOTS=$slots; fi
export FACESTREAM_LOCAL_DIR=${FACESTREAM_LOCAL_DIR:-/tmp/facestream-soak}
export KAFKA_PORT=${KAFKA_PORT:-19092} KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-19093}
export FLINK_REST_PORT=${FLINK_REST_PORT:-18081} FLINK_RPC_PORT=${FLINK_RPC_PORT:-16123}
bootstrap=127.0.0.1:$KAFKA_PORT
trap 'deploy/local/stack.sh clean >/dev/null' EXIT
deploy/local/stack.sh clean >/dev/null
deploy/local/stack.sh start
java -jar job/target/facestream.jar topics --bootstrap-servers "$bootstrap" --input-topic images \
  --output-topic detections --dead-letter-topic dead-letters --partitions 2
deploy/local/stack.sh submit --bootstrap-servers "$bootstrap" --input-topic images --output-topic detections \
  --dead-letter-topic dead-letters --parallelism 2 --checkpoint-interval 5s
sleep 15
for tm in $(curl -s "localhost:$FLINK_REST_PORT/taskmanagers" | grep -o '"id":"[^"]*"' | cut -d'"' -f4); do
  echo "TaskManager $tm memory configuration: $(curl -s "localhost:$FLINK_REST_PORT/taskmanagers/$tm" | grep -o '"memoryConfiguration":{[^}]*}')"
done
java -cp job/target/facestream.jar job/bench/MemorySoak.java "$bootstrap" "$FACESTREAM_LOCAL_DIR" "$count" testdata
for tm in $(curl -s "localhost:$FLINK_REST_PORT/taskmanagers" | grep -o '"id":"[^"]*"' | cut -d'"' -f4); do
  echo "TaskManager $tm JVM after the run: $(curl -s "localhost:$FLINK_REST_PORT/taskmanagers/$tm/metrics?get=Status.JVM.Memory.Heap.Used,Status.JVM.Memory.Heap.Committed,Status.JVM.Memory.NonHeap.Used,Status.JVM.Memory.Direct.MemoryUsed")"
done
