#!/usr/bin/env node
// Plain JavaScript that any Node parses, so that an older Node gets a sentence rather than a stack.
// Keep in step with src/node-version.ts.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`facteur needs Node.js 22.18 or later (this is ${process.versions.node})\n`);
  process.exit(1);
}
// The compiled CLI (dist/, made by `npm run build:dist`, which `./run` and `npm test` run first, and
// shipped in the package); in a checkout never built, the TypeScript sources, which Node strips.
const { existsSync } = await import('node:fs');
const compiled = new URL('../dist/cli/main.js', import.meta.url);
await import(existsSync(compiled) ? compiled.href : new URL('../src/cli/main.ts', import.meta.url).href);
