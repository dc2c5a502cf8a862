/** Runs the scriptable test upstream in its own process (so memory measurements see only the relay). */
import { startUpstream } from './relay-upstream.ts';

const up = await startUpstream();
process.stdout.write(`${JSON.stringify({ port: up.port, url: up.url })}\n`);
process.on('SIGTERM', () => void up.close().then(() => process.exit(0)));
