#!/usr/bin/env node
// Plain JavaScript that any Node parses, so that an older Node gets a sentence rather than a stack.
// Keep in step with src/node-version.ts.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`facteur needs Node.js 22.18 or later (this is ${process.versions.node})\n`);
  process.exit(1);
}
// Node 22 runs the TypeScript sources directly (type stripping).
await import('../src/cli/main.ts');
