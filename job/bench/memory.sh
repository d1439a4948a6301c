#!/usr/bin/env bash
# Memory soak: the job on the local stack (deploy/local/stack.sh: broker, JobManager, two
# TaskManagers) works through a backlog of COUNT events (default 20000) while the TaskManagers'
# resident memory is sampled. Usage, from the repository root after `mvn -B verify`:
#   job/bench/memory.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-20000}
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
java -cp job/target/facestream.jar job/bench/MemorySoak.java "$bootstrap" "$FACESTREAM_LOCAL_DIR" "$count" testdata
