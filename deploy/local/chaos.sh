#!/usr/bin/env bash
# Chaos run on a fresh local stack (stack.sh, ZooKeeper high availability on): sends N image events
# evenly over M minutes (four cameras and a dead letter every 40th event) to the job, and every 30 to
# 90 s kills a random TaskManager, the broker or the JobManager with kill -9 and starts it again.
# Prints each fault with its recovery times, then, once every event has its outcome, the last line
#   in N, out N, duplicates 0, missing 0
# (counted by a read_committed consumer); exits with 1 unless every event has exactly one outcome.
# Usage, from the repository root after `mvn -B verify` (it runs the test classes' io.facestream.job.ChaosRun):
#   deploy/local/chaos.sh --events N --minutes M
# The stack's settings are stack.sh's (FACESTREAM_LOCAL_DIR, default here /tmp/facestream-chaos,
# ports, TASKMANAGERS); the stack is stopped at the end, its logs kept in that folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d job/target/test-classes/io/facestream/job ] && [ -f job/target/facestream.jar ] \
  || { echo "chaos.sh: build first with 'mvn -B verify' (or 'mvn -B package -DskipTests')" >&2; exit 2; }
classpath=job/target/chaos-classpath.txt
if [ ! -f "$classpath" ] || [ job/pom.xml -nt "$classpath" ] || [ pom.xml -nt "$classpath" ]; then
  echo "Resolving the test classpath into $classpath ..."
  # schemas is compiled in the same run, so its classes come from schemas/target, not a repository.
  mvn -B -q -pl schemas,job compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$PWD/$classpath" >/dev/null || { echo "chaos.sh: could not resolve the test classpath" >&2; exit 1; }
fi
export FACESTREAM_LOCAL_DIR=${FACESTREAM_LOCAL_DIR:-/tmp/facestream-chaos}
# LocalStack runs stack.sh as ../deploy/local/stack.sh, from the job module as the tests do.
cd job
exec java -cp "target/test-classes:target/classes:$(cat "target/chaos-classpath.txt")" io.facestream.job.ChaosRun "$@"
