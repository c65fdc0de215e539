#!/usr/bin/env node
// Node 22 runs the TypeScript sources directly (type stripping): no build step for the CLI.
import '../src/cli/main.ts';
