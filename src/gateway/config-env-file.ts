/**
 * A small `.env` parser (KEY=value, `export KEY=value`, '…' / "…" quotes, # comments). Written here
 * rather than `process.loadEnvFile` so malformed lines are reported with their line number instead of
 * being skipped silently, and so `.env` never overrides the real environment.
 */

export interface EnvFileResult {
  values: Record<string, string>;
  problems: string[];
}

const LINE_RE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;

export function parseEnvFile(text: string): EnvFileResult {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((line, i) => {
    if (/^\s*(#.*)?$/.test(line)) return;
    const m = LINE_RE.exec(line);
    if (!m) {
      problems.push(`line ${i + 1} is not KEY=value`);
      return;
    }
    const key = m[1]!;
    let value = m[2]!;
    const q = value[0];
    if (q === '"' || q === "'") {
      const end = value.indexOf(q, 1);
      if (end < 0) {
        problems.push(`line ${i + 1} (${key}): unterminated quote`);
        return;
      }
      value = value.slice(1, end);
      if (q === '"') value = value.replace(/\\n/g, '\n');
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    values[key] = value;
  });
  return { values, problems };
}
