#!/usr/bin/env bash
# A real local stack for trying FaceStream and for failure tests: one Kafka broker (KRaft) in its
# own JVM, and a Flink session cluster of one JobManager and two TaskManagers, each its own JVM,
# with ZooKeeper high availability (a standalone ZooKeeper server, its own JVM): a JobManager
# killed and started again recovers its jobs from their latest completed checkpoints. All from
# Maven-resolved jars (deploy/local/pom.xml; build the job first: mvn -B verify).
#
#   deploy/local/stack.sh start                 ZooKeeper (HA=1), broker, JobManager, TaskManagers 1, 2
#   deploy/local/stack.sh submit [--jar JAR] [--from-savepoint PATH] [job flags]
#                                               submit facestream.jar's (or JAR's) `job` to the cluster
#   deploy/local/stack.sh stop-job JOB_ID       stop a job with a savepoint (prints its path)
#   deploy/local/stack.sh cancel-job JOB_ID
#   deploy/local/stack.sh stop                  stop everything (and keep the data)
#   deploy/local/stack.sh clean                 stop everything and delete the data
#   deploy/local/stack.sh status
# Single parts: start-zookeeper, stop-zookeeper, start-kafka, stop-kafka, kill-kafka,
# start-jobmanager, kill-jobmanager (kill -9), stop-jobmanager, start-taskmanager N,
# kill-taskmanager N (kill -9), stop-taskmanager N.
# Settings (environment): FACESTREAM_LOCAL_DIR (default /tmp/facestream-local), HA (1: ZooKeeper
# high availability; 0: none, a JobManager that dies takes its jobs with it), ZOOKEEPER_PORT (2181),
# KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), FLINK_REST_PORT (8081), FLINK_RPC_PORT (6123), PROMETHEUS_PORTS
# (9250-9260: each Flink process serves its metrics for Prometheus on the first free one),
# TASKMANAGERS (2), TASKMANAGER_SLOTS (1), TASKMANAGER_MEMORY (1600m), TASKMANAGER_JAVA_OPTS (extra
# JVM flags for the TaskManagers, e.g. GC settings), MALLOC_ARENA_MAX (glibc arenas of the
# TaskManagers, 2).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lib="$here/target/lib"
jar="$root/job/target/facestream.jar"
dir=${FACESTREAM_LOCAL_DIR:-/tmp/facestream-local}
kafka_port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-9093}
rest_port=${FLINK_REST_PORT:-8081}
rpc_port=${FLINK_RPC_PORT:-6123}
ha=${HA:-1}
zookeeper_port=${ZOOKEEPER_PORT:-2181}
case "$ha" in 0|1) ;; *) echo "stack.sh: HA must be 1 (ZooKeeper high availability) or 0, not '$ha'" >&2; exit 2 ;; esac
prometheus_ports=${PROMETHEUS_PORTS:-9250-9260}
slots=${TASKMANAGER_SLOTS:-1}
tm_memory=${TASKMANAGER_MEMORY:-1600m}
# Java 17 module opens that Flink's runtime needs (as in Flink's own config.yaml env.java.opts).
opens="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
 --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
 --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
 --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
 --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED
 --add-opens=java.base/java.math=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
 --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.sql/java.sql=ALL-UNNAMED"

die() { echo "stack.sh: $*" >&2; exit 1; }
[ -f "$jar" ] || die "job/target/facestream.jar is missing: build first with 'mvn -B verify'"
# FaceStream's parent-first jars, as an image puts them into Flink's lib/: after Flink's own jars on
# the Flink processes' classpath.
flink_lib="$here/target/flink-lib"
flink_lib_pom="$root/deploy/flink-lib/pom.xml"
resolve() { # pom, folder
  if [ ! -f "$2/.complete" ] || [ "$1" -nt "$2/.complete" ]; then
    echo "Resolving the jars of $1 into $2 ..."
    rm -rf "$2"
    mvn -B -q -f "$1" dependency:copy-dependencies -DoutputDirectory="$2" -DincludeScope=runtime \
      || die "could not resolve the jars of $1 with Maven"
    touch "$2/.complete"
  fi
}
resolve "$here/pom.xml" "$lib"
resolve "$flink_lib_pom" "$flink_lib"
flink_cp="$lib/*:$flink_lib/*"
# What Flink loads parent-first from lib/: declared with the jars, in deploy/flink-lib/pom.xml.
parent_first=$(sed -n 's:.*<parent-first-patterns>\(.*\)</parent-first-patterns>.*:\1:p' "$flink_lib_pom")
[ -n "$parent_first" ] || die "deploy/flink-lib/pom.xml has no <parent-first-patterns> property"
mkdir -p "$dir/logs" "$dir/pids"

write_configs() {
  mkdir -p "$dir/conf" "$dir/checkpoints" "$dir/kafka-data"
  cat > "$dir/conf/config.yaml" <<YAML
jobmanager.rpc.address: localhost
jobmanager.rpc.port: $rpc_port
jobmanager.bind-host: localhost
jobmanager.memory.process.size: 1024m
taskmanager.bind-host: localhost
taskmanager.host: localhost
taskmanager.numberOfTaskSlots: $slots
taskmanager.memory.process.size: $tm_memory
rest.address: localhost
rest.bind-address: localhost
rest.port: $rest_port
parallelism.default: 2
execution.checkpointing.dir: file://$dir/checkpoints
restart-strategy.type: fixed-delay
restart-strategy.fixed-delay.attempts: 1000
restart-strategy.fixed-delay.delay: 2 s
heartbeat.interval: 2000
heartbeat.timeout: 12000
web.upload.dir: $dir/uploads
YAML
  if [ "$ha" = 1 ]; then
    cat >> "$dir/conf/config.yaml" <<YAML
# ZooKeeper elects the JobManager and holds pointers to its jobs and their completed checkpoints;
# the job graphs and checkpoint metadata themselves are files in storageDir, on this disk, where a
# new JobManager finds them.
high-availability.type: zookeeper
high-availability.zookeeper.quorum: 127.0.0.1:$zookeeper_port
high-availability.storageDir: file://$dir/ha
high-availability.cluster-id: facestream-local
# A fixed port rather than a random one, so that stacks side by side do not collide.
high-availability.jobmanager.port: $rpc_port
# A killed JobManager keeps its leadership until its ZooKeeper session expires (60 s by default):
# this is how long a new one waits at most.
high-availability.zookeeper.client.session-timeout: 10000
high-availability.zookeeper.client.connection-timeout: 5000
# The local ZooKeeper has no authentication (no SASL login to try and to log as failed).
zookeeper.sasl.disable: true
YAML
  fi
  cat >> "$dir/conf/config.yaml" <<YAML
# OpenCV, ONNX Runtime and DJL's engine hold per-JVM native state: taken from lib/ (parent-first)
# they outlive every job's classloader (deploy/flink-lib/pom.xml says why).
classloader.parent-first-patterns.additional: $parent_first
# Every process (JobManager, each TaskManager) serves http://localhost:PORT/metrics on the first
# free port of the range, in the order they start; their logs name it.
metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
metrics.reporter.prom.port: $prometheus_ports
YAML
  cat > "$dir/conf/log4j.properties" <<'LOG'
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = File
appender.file.type = File
appender.file.name = File
appender.file.fileName = ${sys:log.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n
LOG
  cat > "$dir/conf/kafka.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$kafka_port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$kafka_port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/kafka-data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
message.max.bytes=16777216
PROPS
  cat > "$dir/conf/zookeeper.properties" <<PROPS
dataDir=$dir/zookeeper
clientPort=$zookeeper_port
clientPortAddress=127.0.0.1
tickTime=2000
maxSessionTimeout=60000
admin.enableServer=false
PROPS
}

running() { [ -f "$dir/pids/$1" ] && kill -0 "$(cat "$dir/pids/$1")" 2>/dev/null; }

launch() { # name, then the java command line
  local name=$1; shift
  running "$name" && { echo "$name is already running"; return; }
  nohup "$@" > "$dir/logs/$name.out" 2>&1 &
  echo $! > "$dir/pids/$name"
  echo "started $name (pid $!), log $dir/logs/$name.log"
}

wait_for_port() { # port, what
  for _ in $(seq 1 120); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && { exec 3>&- 3<&- || true; return 0; }
    sleep 0.5
  done
  die "$2 did not open port $1; see $dir/logs"
}

start_kafka() {
  local cp="$lib/*"
  write_configs
  if [ ! -f "$dir/kafka-data/meta.properties" ]; then
    java -cp "$cp" -Dlog4j2.configurationFile="$dir/conf/log4j.properties" -Dlog.file="$dir/logs/kafka-format.log" \
      kafka.tools.StorageTool format --cluster-id "$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" \
      --config "$dir/conf/kafka.properties" --ignore-formatted > "$dir/logs/kafka-format.out" 2>&1 \
      || die "formatting Kafka storage failed: $(tail -3 "$dir/logs/kafka-format.out")"
  fi
  launch kafka java -Xmx1g -Dlog4j2.configurationFile="$dir/conf/log4j.properties" -Dlog.file="$dir/logs/kafka.log" \
    -cp "$cp" kafka.Kafka "$dir/conf/kafka.properties"
  wait_for_port "$kafka_port" "Kafka"
}

start_zookeeper() {
  write_configs
  mkdir -p "$dir/zookeeper"
  launch zookeeper java -Xmx256m -Dlog4j2.configurationFile="$dir/conf/log4j.properties" -Dlog.file="$dir/logs/zookeeper.log" \
    -Dzookeeper.admin.enableServer=false -cp "$lib/*" org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/conf/zookeeper.properties"
  wait_for_port "$zookeeper_port" "ZooKeeper"
}

start_jobmanager() {
  write_configs
  if [ "$ha" = 1 ]; then running zookeeper || start_zookeeper; fi
  # shellcheck disable=SC2086
  launch jobmanager java -Xmx700m $opens -Dlog4j.configurationFile="$dir/conf/log4j.properties" \
    -Dlog.file="$dir/logs/jobmanager.log" -cp "$flink_cp" \
    org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$dir/conf"
  wait_for_port "$rest_port" "the JobManager"
}

start_taskmanager() {
  local n=$1 params jvm dynamic
  write_configs
  # Flink's scripts size the TaskManager JVM with BashJavaUtils: first line JVM flags, second the
  # derived memory settings to pass on.
  params=$(java -cp "$lib/*" org.apache.flink.runtime.util.bash.BashJavaUtils GET_TM_RESOURCE_PARAMS \
    --configDir "$dir/conf" 2>/dev/null | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://')
  jvm=$(sed -n 1p <<<"$params"); dynamic=$(sed -n 2p <<<"$params")
  [ -n "$jvm" ] || die "could not compute TaskManager memory settings"
  # ONNX Runtime allocates and frees its buffers with every job; glibc's per-thread arenas keep what
  # is freed, so a TaskManager's RSS would creep up with every redeploy (BENCHMARKS.md). The official
  # image uses jemalloc for the same reason; here two arenas do.
  # shellcheck disable=SC2086
  MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} launch "taskmanager-$n" java $jvm ${TASKMANAGER_JAVA_OPTS:-} $opens -Dlog4j.configurationFile="$dir/conf/log4j.properties" \
    -Dlog.file="$dir/logs/taskmanager-$n.log" -cp "$flink_cp" \
    org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$dir/conf" $dynamic
}

stop_part() { # name, signal
  if running "$1"; then
    local pid; pid=$(cat "$dir/pids/$1")
    kill "-$2" "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    echo "stopped $1"
  fi
  rm -f "$dir/pids/$1"
}

stop_all() {
  for p in "$dir"/pids/taskmanager-*; do [ -e "$p" ] && stop_part "$(basename "$p")" TERM; done
  stop_part jobmanager TERM
  stop_part kafka TERM
  stop_part zookeeper TERM
}

flink_cli() {
  # shellcheck disable=SC2086
  FLINK_CONF_DIR="$dir/conf" java $opens -cp "$flink_cp" org.apache.flink.client.cli.CliFrontend "$@"
}

status() {
  for p in zookeeper kafka jobmanager "$dir"/pids/taskmanager-*; do
    name=$(basename "$p"); [ -e "$dir/pids/$name" ] || continue
    if running "$name"; then echo "$name: running (pid $(cat "$dir/pids/$name"))"; else echo "$name: stopped"; fi
  done
}

case "${1:-}" in
  start) if [ "$ha" = 1 ]; then start_zookeeper; fi
         start_kafka; start_jobmanager
         for n in $(seq 1 "${TASKMANAGERS:-2}"); do start_taskmanager "$n"; done
         echo "Kafka at 127.0.0.1:$kafka_port, Flink web UI and REST at http://localhost:$rest_port" ;;
  stop) stop_all ;;
  clean) stop_all; rm -rf "$dir" ;;
  status) status ;;
  submit) shift
    run_opts=()
    while [ $# -gt 0 ]; do
      case "$1" in
        --jar) jar=${2:?--jar needs a path}; shift 2 ;;
        --from-savepoint) run_opts+=(--fromSavepoint "${2:?--from-savepoint needs a path}"); shift 2 ;;
        *) break ;;
      esac
    done
    flink_cli run --detached ${run_opts[@]+"${run_opts[@]}"} "$jar" job "$@" ;;
  stop-job) flink_cli stop --savepointPath "file://$dir/savepoints" "${2:?job id}" ;;
  cancel-job) flink_cli cancel "${2:?job id}" ;;
  start-kafka) start_kafka ;;
  stop-kafka) stop_part kafka TERM ;;
  kill-kafka) stop_part kafka KILL ;;
  start-zookeeper) start_zookeeper ;;
  stop-zookeeper) stop_part zookeeper TERM ;;
  start-jobmanager) start_jobmanager ;;
  stop-jobmanager) stop_part jobmanager TERM ;;
  kill-jobmanager) stop_part jobmanager KILL ;;
  start-taskmanager) start_taskmanager "${2:?taskmanager number}" ;;
  stop-taskmanager) stop_part "taskmanager-${2:?taskmanager number}" TERM ;;
  kill-taskmanager) stop_part "taskmanager-${2:?taskmanager number}" KILL ;;
  *) sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
