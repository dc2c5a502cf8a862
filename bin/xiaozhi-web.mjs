#!/usr/bin/env node
// `xiaozhi-web` command: register tsx (no build step for Node code) and run src/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { runAndExit } = await import('../src/cli/main.ts');
await runAndExit(process.argv.slice(2));
