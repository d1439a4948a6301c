#!/usr/bin/env bash
# Redeploys on a warm TaskManager: the job on the local stack (deploy/local/stack.sh, one TaskManager
# of two slots) is stopped with a savepoint and resubmitted from it COUNT times (default 10); after
# each redeploy, once the job runs, the TaskManager is sampled after a full GC: metaspace in use,
# resident memory, threads and the Flink user-code classloaders alive. Each allocator setting given
# (values of MALLOC_ARENA_MAX, "glibc" for glibc's default) gets its own fresh stack, one after the
# other in this one command. Usage, from the repository root after `mvn -B verify`:
#   job/bench/redeploys.sh [COUNT] [ARENAS...]        e.g. job/bench/redeploys.sh 10 2 glibc
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-10}
shift || true
settings=("${@:-2}")
export FACESTREAM_LOCAL_DIR=${FACESTREAM_LOCAL_DIR:-/tmp/facestream-redeploys}
export KAFKA_PORT=${KAFKA_PORT:-19092} KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-19093}
export FLINK_REST_PORT=${FLINK_REST_PORT:-18081} FLINK_RPC_PORT=${FLINK_RPC_PORT:-16123}
export TASKMANAGERS=1 TASKMANAGER_SLOTS=2
# The heap touched from the start: RSS then shows what grows outside the heap, not the heap's first use.
export TASKMANAGER_JAVA_OPTS="-XX:+AlwaysPreTouch"
bootstrap=127.0.0.1:$KAFKA_PORT
trap 'deploy/local/stack.sh clean >/dev/null' EXIT

running_with_all_tasks() { # job id
  curl -s "localhost:$FLINK_REST_PORT/jobs/$1" | grep -q '"state":"RUNNING"' \
    && ! curl -s "localhost:$FLINK_REST_PORT/jobs/$1" | grep -o '"tasks":{[^}]*}' | grep -qE '"(CREATED|SCHEDULED|DEPLOYING|INITIALIZING)":[1-9]'
}

sample() { # pid, label
  jcmd "$1" GC.run >/dev/null
  local metaspace rss threads loaders
  metaspace=$(jcmd "$1" GC.heap_info | sed -n 's/.*Metaspace *used \([0-9]*\)K.*/\1/p')
  rss=$(awk '/^VmRSS/{print $2}' "/proc/$1/status")
  threads=$(awk '/^Threads/{print $2}' "/proc/$1/status")
  loaders=$(jcmd "$1" VM.classloader_stats | grep -c ChildFirstClassLoader || true)
  printf '%-24s %12s %10s %8s %14s\n' "$2" "$metaspace" "$rss" "$threads" "$loaders"
}

for arenas in "${settings[@]}"; do
  # glibc's own default is 8 arenas per core (stack.sh would otherwise set 2).
  if [ "$arenas" = glibc ]; then export MALLOC_ARENA_MAX=$((8 * $(nproc))); else export MALLOC_ARENA_MAX=$arenas; fi
  echo "== MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX ($arenas), $count redeploys, $(date -u +%FT%TZ)"
  deploy/local/stack.sh clean >/dev/null
  deploy/local/stack.sh start >/dev/null
  java -jar job/target/facestream.jar topics --bootstrap-servers "$bootstrap" --partitions 2 >/dev/null
  tm=$(cat "$FACESTREAM_LOCAL_DIR/pids/taskmanager-1")
  printf '%-24s %12s %10s %8s %14s\n' "" "metaspace KB" "RSS KB" "threads" "classloaders"
  savepoint=""
  for i in $(seq 0 "$count"); do
    args=(--bootstrap-servers "$bootstrap" --parallelism 2 --transactional-id-prefix "redeploys-$arenas")
    if [ -n "$savepoint" ]; then
      job=$(deploy/local/stack.sh submit --from-savepoint "$savepoint" "${args[@]}" | sed -n 's/.*JobID \([0-9a-f]*\).*/\1/p')
    else
      job=$(deploy/local/stack.sh submit "${args[@]}" | sed -n 's/.*JobID \([0-9a-f]*\).*/\1/p')
    fi
    for _ in $(seq 1 180); do running_with_all_tasks "$job" && break; sleep 1; done
    running_with_all_tasks "$job" || { echo "job $job did not start; see $FACESTREAM_LOCAL_DIR/logs" >&2; exit 1; }
    if [ "$i" = 0 ]; then label="first submit"; else label="after redeploy $i"; fi
    sample "$tm" "$label"
    savepoint=$(deploy/local/stack.sh stop-job "$job" | sed -n 's/.*Path: \(\S*\).*/\1/p')
  done
  sleep 60
  sample "$tm" "60 s after the last stop"
done
