/** What every command needs: language, messages, data folder, output streams. */
import { ProfileStore, resolveDataDir } from '../device/index.ts';
import { messages, pickLang, type Lang, type Messages } from './i18n/index.ts';

export interface CliContext {
  lang: Lang;
  m: Messages;
  dataDir: string;
  /** True when the data folder came from `--data-dir` (the gateway resolves its own otherwise). */
  dataDirExplicit: boolean;
  store: ProfileStore;
  /** Print a line to stdout. */
  out(text: string): void;
  /** Print a line to stderr. */
  err(text: string): void;
  stdoutIsTTY: boolean;
}

export function createContext(opts: { lang?: string; dataDir?: string; env?: NodeJS.ProcessEnv }): CliContext {
  const env = opts.env ?? process.env;
  const lang = pickLang(opts.lang, env);
  const dataDir = resolveDataDir(opts.dataDir, env);
  return {
    lang,
    m: messages(lang),
    dataDir,
    dataDirExplicit: Boolean(opts.dataDir),
    store: new ProfileStore({ dataDir }),
    out: (text) => void process.stdout.write(`${text}\n`),
    err: (text) => void process.stderr.write(`${text}\n`),
    stdoutIsTTY: process.stdout.isTTY === true,
  };
}

/**
 * One status line: on a terminal it is rewritten in place; otherwise (pipes, logs, tests) each
 * update is its own line.
 */
export class ProgressLine {
  #open = false;
  constructor(private readonly tty: boolean, private readonly write: (s: string) => void = (s) => void process.stdout.write(s)) {}

  update(text: string): void {
    if (this.tty) {
      this.write(`\r\x1b[2K${text}`);
      this.#open = true;
    } else {
      this.write(`${text}\n`);
    }
  }

  /** End the rewritten line so the next output starts on a fresh line. */
  finish(): void {
    if (this.#open) this.write('\n');
    this.#open = false;
  }
}
