# Source this file: it puts Node.js 22 first on PATH.
# The machines here ship an older Node; when the running one is older than 22, Node 22 LTS is
# installed from the npm registry's `node@22` package into .tools/node22 (once) and used instead.
# It finds the project from BASH_SOURCE: sourced from another shell it would install elsewhere.
if [ -z "${BASH_VERSION:-}" ]; then
  echo "facteur: source scripts/node22.sh from bash" >&2
  return 1 2>/dev/null || exit 1
fi
facteur_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
facteur_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(facteur_node_major)" -lt 22 ]; then
  facteur_prefix="$facteur_root/.tools/node22"
  if [ ! -x "$facteur_prefix/node_modules/.bin/node" ]; then
    echo "facteur: installing Node.js 22 into .tools/node22 (the running Node is $(node --version 2>/dev/null || echo absent))" >&2
    npm install --silent --no-audit --no-fund --prefix "$facteur_prefix" node@22 >&2 || return 1 2>/dev/null || exit 1
  fi
  export PATH="$facteur_prefix/node_modules/.bin:$PATH"
fi
unset -f facteur_node_major
