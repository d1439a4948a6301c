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
exec "$FLINK_HOME/bin/flink" run --detached "$jar" job "$@"
