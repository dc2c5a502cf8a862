/**
 * `xiaozhi-web doctor` and `xiaozhi-web check-token TOKEN`: option parsing only. The checks live in
 * src/doctor/index.ts, loaded lazily:
 *
 *   runDoctor(options: DoctorCliOptions): Promise<number | { exitCode?: number }>
 *
 * The doctor prints its own report (in `options.lang`, JSON when `options.json`) and returns the
 * exit code (see exit-codes.ts).
 */
import type { Command } from 'commander';
import type { ProfileStore } from '../../device/index.ts';
import type { CliContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import type { Lang } from '../i18n/index.ts';
import { importOptional, partFile } from '../lazy-import.ts';
import type { Run } from './profile.ts';

/** What the CLI hands to `runDoctor`. */
export interface DoctorCliOptions {
  command: 'doctor' | 'check-token';
  profile?: string;
  token?: string;
  deviceId?: string;
  clientId?: string;
  url?: string;
  otaUrl?: string;
  turn?: boolean;
  json?: boolean;
  lang: Lang;
  dataDir: string;
  store: ProfileStore;
}

interface DoctorModule {
  runDoctor(options: DoctorCliOptions): Promise<number | { exitCode?: number }>;
}

const DOCTOR = '../doctor/index.ts';

export function registerDoctorCommands(program: Command, { m }: CliContext, run: Run): void {
  program
    .command('doctor')
    .description(m['cmd.doctor'])
    .option('-p, --profile <name>', m['opt.profile'])
    .option('--token <token>', m['opt.token'])
    .option('--device-id <mac>', m['opt.deviceId'])
    .option('--client-id <uuid>', m['opt.clientId'])
    .option('--url <ws-url>', m['opt.url'])
    .option('--ota-url <url>', m['opt.otaUrl'])
    .option('--turn', m['opt.turn'])
    .option('--json', m['opt.json'])
    .action(function (this: Command) {
      const o = this.opts<Omit<DoctorCliOptions, 'command' | 'lang' | 'dataDir' | 'store'>>();
      return run((ctx) => callDoctor(ctx, { ...o, command: 'doctor' }));
    });

  program
    .command('check-token')
    .description(m['cmd.checkToken'])
    .argument('<token>')
    .option('--device-id <mac>', m['opt.deviceId'])
    .option('--client-id <uuid>', m['opt.clientId'])
    .option('--url <ws-url>', m['opt.url'])
    .option('--json', m['opt.json'])
    .action(function (this: Command, token: string) {
      const o = this.opts<{ deviceId?: string; clientId?: string; url?: string; json?: boolean }>();
      return run((ctx) => callDoctor(ctx, { ...o, token, command: 'check-token' }));
    });
}

async function callDoctor(ctx: CliContext, o: Omit<DoctorCliOptions, 'lang' | 'dataDir' | 'store'>): Promise<number> {
  const mod = await importOptional<DoctorModule>(DOCTOR);
  if (!mod) {
    ctx.err(ctx.m['missing.part'](o.command, partFile(DOCTOR)));
    return EXIT.FAILURE;
  }
  const result = await mod.runDoctor({ ...o, lang: ctx.lang, dataDir: ctx.dataDir, store: ctx.store });
  return typeof result === 'number' ? result : result.exitCode ?? EXIT.FAILURE;
}
