#!/usr/bin/env -S node --min-semi-space-size=16 --interrupt-budget=16384
// The built program; a file of its own so that installing links a bin before anything is built.
// The shebang's Node options are SERVER_NODE_OPTIONS (src/node-options.ts says why).
import '../dist/main.js';
