/** `xiaozhi-web activate [--profile]`: OTA + activation with a live progress line; Ctrl-C cancels. */
import type { Command } from 'commander';
import { activateProfile, maskToken, type ActivationProgress } from '../../device/index.ts';
import { ProgressLine, type CliContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { exitCodeFor } from '../report-error.ts';
import type { Run } from './profile.ts';

export function registerActivateCommand(program: Command, { m }: CliContext, run: Run): void {
  program
    .command('activate')
    .description(m['cmd.activate'])
    .option('-p, --profile <name>', m['opt.profile'])
    .option('--deadline <seconds>', m['opt.deadline'], '300')
    .option('--interval <seconds>', m['opt.interval'], '5')
    .option('--json', m['opt.json'])
    .action(function (this: Command) {
      const o = this.opts<{ profile?: string; deadline: string; interval: string; json?: boolean }>();
      return run((ctx) => runActivate(ctx, o));
    });
}

async function runActivate(
  ctx: CliContext,
  o: { profile?: string; deadline: string; interval: string; json?: boolean },
): Promise<number> {
  const deadlineS = Number(o.deadline);
  const intervalS = Number(o.interval);
  if (!(deadlineS > 0)) return usage(ctx, ctx.m['err.number']('--deadline', o.deadline));
  if (!(intervalS > 0)) return usage(ctx, ctx.m['err.number']('--interval', o.interval));

  const profile = await ctx.store.resolve(o.profile);
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const line = new ProgressLine(ctx.stdoutIsTTY && !o.json);
  const started = Date.now();

  const onProgress = (e: ActivationProgress) => {
    if (o.json) {
      ctx.out(JSON.stringify(e));
      return;
    }
    switch (e.type) {
      case 'ota-sent':
        line.update(ctx.m['act.otaSent'](e.url));
        break;
      case 'code-issued':
        line.finish();
        ctx.out('');
        ctx.out(ctx.m['act.codeIssued'](e.code, e.portalUrl));
        ctx.out('');
        break;
      case 'waiting':
        line.update(
          e.error === undefined
            ? ctx.m['act.waiting'](e.attempt, Math.round((Date.now() - started) / 1000))
            : ctx.m['act.waitingError'](e.attempt, e.error),
        );
        break;
      case 'activated':
      case 'failed':
      case 'cancelled':
        line.finish();
        break;
      default: {
        const never: never = e;
        return never;
      }
    }
  };

  try {
    const r = await activateProfile(ctx.store, profile.name, {
      signal: abort.signal,
      onProgress,
      deadlineMs: deadlineS * 1000,
      pollIntervalMs: intervalS * 1000,
    });
    if (r.outcome === 'activated') {
      if (!o.json) {
        ctx.out(r.alreadyActivated ? ctx.m['act.already'](r.profile.name) : ctx.m['act.done'](r.profile.name));
        if (r.profile.server.websocketUrl) ctx.out(ctx.m['act.connection'](r.profile.server.websocketUrl, maskToken(r.profile.token)));
        if (r.profile.token === 'test-token') ctx.out(ctx.m['act.testTokenNote']);
      }
      return EXIT.OK;
    }
    if (r.outcome === 'cancelled') {
      if (!o.json) ctx.err(ctx.m['act.cancelled']);
      return EXIT.CANCELLED;
    }
    if (!o.json) {
      ctx.err(r.code === 'XZ_ACTIVATION_TIMEOUT' ? ctx.m['act.timeout'](deadlineS) : ctx.m['act.failed'](`${r.detail} [${r.code}]`));
    }
    return exitCodeFor(r.code);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function usage(ctx: CliContext, detail: string): number {
  ctx.err(ctx.m['err.usage'](detail));
  return EXIT.USAGE;
}
