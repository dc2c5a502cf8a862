/**
 * `xiaozhi-web` entry: builds the commander program in the user's language, runs one command and
 * returns its exit code (exit-codes.ts). Started by bin/xiaozhi-web.mjs or `tsx src/cli/main.ts`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, Help } from 'commander';
import { registerActivateCommand } from './commands/activate.ts';
import { registerDoctorCommands } from './commands/doctor.ts';
import { registerProfileCommands, type Run } from './commands/profile.ts';
import { registerServerCommands } from './commands/servers.ts';
import { createContext, type CliContext } from './context.ts';
import { EXIT } from './exit-codes.ts';
import { messages, pickLang } from './i18n/index.ts';
import { reportError } from './report-error.ts';

/** Run the CLI with `argv` (without node and script path); resolves with the exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // Language and data folder are global and needed before parsing (help texts are localized).
  const langFlag = flagValue(argv, '--lang');
  if (langFlag !== undefined && langFlag !== 'zh' && langFlag !== 'en') {
    const m = messages(pickLang(undefined, env));
    process.stderr.write(`${m['err.usage'](m['err.lang'](langFlag))}\n`);
    return EXIT.USAGE;
  }
  const ctx = createContext({ lang: langFlag, dataDir: flagValue(argv, '--data-dir'), env });

  let exitCode: number = EXIT.OK;
  const run: Run = async (fn) => {
    try {
      exitCode = await fn(ctx);
    } catch (err) {
      exitCode = reportError(ctx, err);
    }
  };

  const program = buildProgram(ctx, run);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    return reportError(ctx, err);
  }
  return exitCode;
}

function buildProgram(ctx: CliContext, run: Run): Command {
  const { m } = ctx;
  const program = new Command('xiaozhi-web')
    .description(m['program.description'])
    .version(packageVersion(), '-V, --version', m['help.version'])
    .option('--data-dir <dir>', m['opt.dataDir'])
    .option('--lang <lang>', m['opt.lang'])
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void process.stdout.write(s),
      writeErr: (s) => void process.stderr.write(s),
    })
    // Settings below are inherited by every subcommand created afterwards.
    .helpOption('-h, --help', m['help.help'])
    .helpCommand('help [command]', m['help.help'])
    .configureHelp({
      formatHelp: (cmd, helper) =>
        Help.prototype.formatHelp
          .call(helper, cmd, helper)
          .replace(/^Usage:/, m['help.usage'])
          .replace(/^Options:$/m, m['help.options'])
          .replace(/^Commands:$/m, m['help.commands'])
          .replace(/^Arguments:$/m, m['help.arguments'])
          .replace(/\(default: /g, `(${m['help.default']}: `),
    });
  registerServerCommands(program, ctx, run);
  registerProfileCommands(program, ctx, run);
  registerActivateCommand(program, ctx, run);
  registerDoctorCommands(program, ctx, run);
  const footer = `\n${m['help.exitCodes']}`;
  const walk = (c: Command) => {
    c.exitOverride();
    c.addHelpText('after', footer);
    c.commands.forEach(walk);
  };
  walk(program);
  return program;
}

/** `--name value` or `--name=value` anywhere in argv (global options may follow the subcommand). */
function flagValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === name) return argv[i + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Exit once `main` is done; a short unref'd timer ends the process if some handle was left open. */
export async function runAndExit(argv: readonly string[]): Promise<void> {
  const code = await main(argv);
  process.exitCode = code;
  setTimeout(() => process.exit(code), 1000).unref();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runAndExit(process.argv.slice(2));
}
