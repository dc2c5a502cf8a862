/** `xiaozhi-web profile list|create|show|remove|import|export|default`. */
import type { Command } from 'commander';
import { maskToken, type DeviceProfile } from '../../device/index.ts';
import type { CliContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';

/** Runs a command body and records its exit code (see main.ts). */
export type Run = (fn: (ctx: CliContext) => Promise<number>) => Promise<void>;

/** Profile fields safe to print: the token and HMAC key only as masks. */
export function publicProfile(p: DeviceProfile): Record<string, unknown> {
  return {
    name: p.name,
    label: p.label,
    isDefault: p.isDefault,
    deviceId: p.identity.deviceId,
    clientId: p.identity.clientId,
    serialNumber: p.identity.serialNumber,
    hmacKey: maskToken(p.identity.hmacKey),
    otaUrl: p.server.otaUrl,
    websocketUrl: p.server.websocketUrl,
    mqttEndpoint: typeof p.server.mqtt?.['endpoint'] === 'string' ? p.server.mqtt['endpoint'] : null,
    activated: p.activated,
    token: maskToken(p.token),
    lastOta: p.lastOta,
    linked: p.linked,
    files: { config: p.paths.config, efuse: p.paths.efuse },
  };
}

export function registerProfileCommands(program: Command, { m }: CliContext, run: Run): void {
  const profile = program.command('profile').description(m['cmd.profile']);

  profile
    .command('list')
    .description(m['cmd.profile.list'])
    .option('--json', m['opt.json'])
    .action(function (this: Command) {
      const opts = this.opts<{ json?: boolean }>();
      return run(async (ctx) => {
        const { profiles, broken } = await ctx.store.list();
        if (opts.json) {
          ctx.out(JSON.stringify({
            dataDir: ctx.dataDir,
            profiles: profiles.map(publicProfile),
            broken: broken.map((b) => ({ name: b.name, code: b.error.code, path: b.error.path ?? null, detail: b.error.message })),
          }, null, 2));
        } else if (profiles.length === 0 && broken.length === 0) {
          ctx.out(ctx.m['profile.none'](ctx.dataDir));
        } else {
          ctx.out(ctx.m['profile.header']);
          for (const p of profiles) {
            ctx.out([`${p.isDefault ? '*' : ' '}${p.name}`, p.label, p.identity.deviceId, p.activated ? ctx.m.yes : ctx.m.no, maskToken(p.token)].join('\t'));
          }
          for (const b of broken) ctx.err(ctx.m['profile.broken'](b.name, b.error.message));
        }
        return broken.length > 0 ? EXIT.STORAGE : EXIT.OK;
      });
    });

  profile
    .command('create')
    .description(m['cmd.profile.create'])
    .argument('<name>')
    .option('--label <text>', m['opt.label'])
    .option('--ota-url <url>', m['opt.otaUrl'])
    .option('--mac <mac>', m['opt.mac'])
    .option('--default', m['opt.makeDefault'])
    .action(function (this: Command, name: string) {
      const o = this.opts<{ label?: string; otaUrl?: string; mac?: string; default?: boolean }>();
      return run(async (ctx) => {
        const p = await ctx.store.create({ name, label: o.label, otaUrl: o.otaUrl, mac: o.mac, makeDefault: o.default });
        ctx.out(ctx.m['profile.created'](p.name, p.identity.deviceId));
        ctx.out(ctx.m['profile.nextActivate'](p.name));
        return EXIT.OK;
      });
    });

  profile
    .command('show')
    .description(m['cmd.profile.show'])
    .argument('[name]')
    .option('--json', m['opt.json'])
    .action(function (this: Command, name: string | undefined) {
      const o = this.opts<{ json?: boolean }>();
      return run(async (ctx) => {
        const p = await ctx.store.resolve(name);
        if (o.json) {
          ctx.out(JSON.stringify(publicProfile(p), null, 2));
          return EXIT.OK;
        }
        const f = ctx.m;
        const rows: [string, string][] = [
          [f['field.name'], p.name],
          [f['field.label'], p.label],
          [f['field.default'], p.isDefault ? f.yes : f.no],
          [f['field.deviceId'], p.identity.deviceId],
          [f['field.clientId'], p.identity.clientId],
          [f['field.serial'], p.identity.serialNumber],
          [f['field.otaUrl'], p.server.otaUrl],
          [f['field.wsUrl'], p.server.websocketUrl ?? '—'],
          [f['field.token'], maskToken(p.token)],
          [f['field.mqtt'], typeof p.server.mqtt?.['endpoint'] === 'string' ? p.server.mqtt['endpoint'] : '—'],
          [f['field.activated'], p.activated ? f.yes : f.no],
          [f['field.lastOta'], p.lastOta?.at ?? '—'],
          [f['field.firmware'], p.lastOta?.firmware?.version ?? '—'],
          [f['field.files'], `${p.paths.config}\n${' '.repeat(16)}${p.paths.efuse}`],
        ];
        for (const [k, v] of rows) ctx.out(`${k.padEnd(14)}  ${v}`);
        return EXIT.OK;
      });
    });

  profile
    .command('remove')
    .description(m['cmd.profile.remove'])
    .argument('<name>')
    .option('-y, --yes', m['opt.yes'])
    .action(function (this: Command, name: string) {
      const o = this.opts<{ yes?: boolean }>();
      return run(async (ctx) => {
        // A corrupt profile can still be removed; a missing one is reported before asking for --yes.
        if (!(await ctx.store.has(name))) await ctx.store.get(name);
        if (!o.yes) {
          ctx.err(ctx.m['profile.removeNeedsYes'](name));
          return EXIT.USAGE;
        }
        await ctx.store.remove(name);
        ctx.out(ctx.m['profile.removed'](name));
        return EXIT.OK;
      });
    });

  profile
    .command('import')
    .description(m['cmd.profile.import'])
    .argument('<path>')
    .option('--efuse <file>', m['opt.efuse'])
    .option('--name <name>', m['opt.name'])
    .option('--label <text>', m['opt.label'])
    .option('--link', m['opt.link'])
    .option('--default', m['opt.makeDefault'])
    .action(function (this: Command, from: string) {
      const o = this.opts<{ efuse?: string; name?: string; label?: string; link?: boolean; default?: boolean }>();
      return run(async (ctx) => {
        const p = await ctx.store.importProfile({
          from, efuseFrom: o.efuse, name: o.name, label: o.label, link: o.link, makeDefault: o.default,
        });
        ctx.out(ctx.m['profile.imported'](p.name, p.identity.deviceId, p.linked));
        return EXIT.OK;
      });
    });

  profile
    .command('export')
    .description(m['cmd.profile.export'])
    .argument('<name>')
    .argument('<dir>')
    .option('--force', m['opt.force'])
    .action(function (this: Command, name: string, dir: string) {
      const o = this.opts<{ force?: boolean }>();
      return run(async (ctx) => {
        const out = await ctx.store.exportProfile(name, dir, { force: o.force });
        ctx.out(ctx.m['profile.exported'](out.config, out.efuse));
        return EXIT.OK;
      });
    });

  profile
    .command('default')
    .description(m['cmd.profile.default'])
    .argument('<name>')
    .action((name: string) =>
      run(async (ctx) => {
        await ctx.store.setDefault(name);
        ctx.out(ctx.m['profile.defaultSet'](name));
        return EXIT.OK;
      }),
    );
}
