#!/usr/bin/env node
// The built program; a file of its own so that installing links a bin before anything is built.
import '../dist/main.js';
