#!/usr/bin/env bash
# Submits the FaceStream job to a running Flink session cluster with the Flink CLI.
# Usage: FLINK_HOME=/opt/flink deploy/submit.sh --bootstrap-servers broker:9092 [job flags...]
# Every flag after the script name goes to the job; see: java -jar job/target/facestream.jar job --help
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
jar="$here/job/target/facestream.jar"
if [ -z "${FLINK_HOME:-}" ] || [ ! -x "$FLINK_HOME/bin/flink" ]; then
  echo "Set FLINK_HOME to a Flink 2.3 installation (its bin/flink submits the job)." >&2
  exit 1
fi
if [ ! -f "$jar" ]; then
  echo "$jar is missing: build it first with 'mvn -B verify' (or 'mvn -B package -DskipTests')." >&2
  exit 1
fi
# FaceStream's native code and DJL's engine must load once per TaskManager, from lib/ (deploy/README.md).
for needed in opencv onnxruntime-engine; do
  if ! ls "$FLINK_HOME"/lib/"$needed"-*.jar >/dev/null 2>&1; then
    echo "warning: $FLINK_HOME/lib has no $needed jar: the next FaceStream job on a TaskManager (a resubmit, an" \
      "upgrade, a second job) will not start its model. Copy the jars of deploy/flink-lib/pom.xml into lib/ and set" \
      "classloader.parent-first-patterns.additional as deploy/README.md says (the TaskManagers need them too)." >&2
  fi
done
exec "$FLINK_HOME/bin/flink" run --detached "$jar" job "$@"
