#!/usr/bin/env node
/** The `simdnet` executable (package.json "bin" -> dist/cli/main.js). */
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2));
