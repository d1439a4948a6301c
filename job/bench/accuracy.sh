#!/usr/bin/env bash
# Accuracy and time per image of every model and size policy on the WIDER FACE evaluation images.
# Usage (from the repository root, after `mvn -B verify`):
#   job/bench/accuracy.sh [EVAL_DIR] [WORK_DIR]
# EVAL_DIR holds gt.jsonl and images/ (default ../shared/eval/widerface416; research-only images,
# never copied into the repository). Also makes a copy resized to a long side of 1024 px in WORK_DIR.
# Method: `detect --format wider --score-threshold 0.02 --threads 1` for each model, policy and precision, then `evaluate`
# (official WIDER FACE protocol); time per image is the median of decode + pre-processing + model +
# post-processing over the set, one inference thread, measured in the same run as the accuracy.
set -euo pipefail
cd "$(dirname "$0")/../.."
eval_dir=${1:-../shared/eval/widerface416}
work=${2:-$(mktemp -d)}
jar=job/target/facestream.jar
b6_model=../shared/models/retinaface_mnet025_biubug6.onnx
[ -f "$jar" ] || { echo "Build first: mvn -B verify" >&2; exit 1; }
[ -f "$eval_dir/gt.jsonl" ] || { echo "No gt.jsonl in $eval_dir" >&2; exit 1; }

sets=("416:$eval_dir")
java -cp "$jar" job/bench/ScaleEvalSet.java "$eval_dir" "$work/set1024" 1024 >&2
sets+=("1024:$work/set1024")

runs=(
  "insightface-mnet025-v2|fit:640"
  "insightface-mnet025-v2|fit:640|int8"
  "insightface-mnet025-v2|letterbox:640"
  "insightface-mnet025-v2|letterbox:832"
  "insightface-mnet025-v2|native"
  "insightface-mnet025-v2|seed"
  "insightface-mnet025-v2|fit:1280"
  "insightface-mnet025-v2|fit:1600"
  "insightface-mnet025-v2|multi"
)
if [ -f "$b6_model" ]; then
  runs+=("biubug6-1mb-mnet025|seed" "biubug6-1mb-mnet025|fit:1280" "biubug6-1mb-mnet025|multi")
fi

echo "| images | model | --size | --precision | easy AP | medium AP | hard AP | ms per image (median) |"
echo "|---|---|---|---|---|---|---|---|"
for set in "${sets[@]}"; do
  label=${set%%:*}; dir=${set#*:}
  for run in "${runs[@]}"; do
    IFS='|' read -r type size precision <<<"$run"
    precision=${precision:-fp32}
    model_flags=(--model-type "$type" --precision "$precision")
    [ "$type" = biubug6-1mb-mnet025 ] && model_flags+=(--model "$b6_model")
    out="$work/pred-$label-$type-${size//[:,]/_}-$precision"
    detect_log=$(java -jar "$jar" detect --input "$dir/images" --output "$out" --format wider \
      --score-threshold 0.02 --threads 1 --size "$size" "${model_flags[@]}")
    ms=$(grep -o 'median [0-9.]* ms' <<<"$detect_log" | grep -o '[0-9.]*')
    ap=$(java -jar "$jar" evaluate --gt "$dir/gt.jsonl" --pred "$out")
    easy=$(grep -oiE 'easy[^0-9]*[0-9]+\.[0-9]+' <<<"$ap" | head -1 | grep -oE '[0-9]+\.[0-9]+')
    medium=$(grep -oiE 'medium[^0-9]*[0-9]+\.[0-9]+' <<<"$ap" | head -1 | grep -oE '[0-9]+\.[0-9]+')
    hard=$(grep -oiE 'hard[^0-9]*[0-9]+\.[0-9]+' <<<"$ap" | head -1 | grep -oE '[0-9]+\.[0-9]+')
    echo "| $label | $type | \`$size\` | $precision | $easy | $medium | $hard | $ms |"
  done
done
