#!/usr/bin/env node
// Entry point of the `amlops` command: the compiled CLI (run `npm run build` first).
const { main } = require('../dist/src/starters/cli.js');
main().then((code) => process.exit(code));
