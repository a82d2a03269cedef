#!/usr/bin/env node
// Entry point for `npx hromada`; runs on the Node 24 that npm puts first on PATH.
import '../src/main.ts';
