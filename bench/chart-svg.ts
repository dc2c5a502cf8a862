/** Hand-written SVG chart: added p99 and CPU per 1000 sessions against N (log axis), one line per target. */
import type { StepResult } from './harness.ts';

const COLORS: Record<string, string> = { direct: '#6b7280', nginx: '#16a34a', gateway: '#2563eb', 'gateway-framed': '#f59e0b', 'node-tunnel': '#a855f7' };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function panel(steps: StepResult[], x0: number, title: string, unit: string, pick: (s: StepResult) => number | undefined): string {
  const W = 380, H = 260, L = 56, B = 40, T = 30, R = 16;
  const ns = [...new Set(steps.map((s) => s.n))].sort((a, b) => a - b);
  const pts: { t: string; n: number; v: number }[] = [];
  for (const s of steps) {
    const v = pick(s);
    if (v !== undefined && Number.isFinite(v)) pts.push({ t: s.target, n: s.n, v });
  }
  const vmax = Math.max(0.001, ...pts.map((p) => p.v)) * 1.1;
  const vmin = Math.min(0, ...pts.map((p) => p.v));
  const lx = (n: number) => {
    if (ns.length < 2) return x0 + L + (W - L - R) / 2;
    const a = Math.log(ns[0]!), b = Math.log(ns[ns.length - 1]!);
    return x0 + L + ((Math.log(n) - a) / (b - a)) * (W - L - R);
  };
  const ly = (v: number) => T + (1 - (v - vmin) / (vmax - vmin)) * (H - T - B);
  const out: string[] = [`<text x="${x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(title)}</text>`];
  out.push(`<line x1="${x0 + L}" y1="${H - B}" x2="${x0 + W - R}" y2="${H - B}" stroke="#999"/>`, `<line x1="${x0 + L}" y1="${T}" x2="${x0 + L}" y2="${H - B}" stroke="#999"/>`);
  for (let i = 0; i <= 4; i++) {
    const v = vmin + ((vmax - vmin) * i) / 4;
    out.push(`<text x="${x0 + L - 6}" y="${ly(v) + 4}" text-anchor="end" font-size="10">${v.toFixed(v >= 10 ? 0 : 2)}</text>`, `<line x1="${x0 + L}" y1="${ly(v)}" x2="${x0 + W - R}" y2="${ly(v)}" stroke="#eee"/>`);
  }
  for (const n of ns) out.push(`<text x="${lx(n)}" y="${H - B + 14}" text-anchor="middle" font-size="10">${n}</text>`);
  out.push(`<text x="${x0 + L + (W - L - R) / 2}" y="${H - 8}" text-anchor="middle" font-size="11">sessions (N, log scale)</text>`);
  out.push(`<text x="${x0 + 12}" y="${T + (H - T - B) / 2}" font-size="11" transform="rotate(-90 ${x0 + 12} ${T + (H - T - B) / 2})" text-anchor="middle">${esc(unit)}</text>`);
  for (const t of [...new Set(pts.map((p) => p.t))]) {
    const line = pts.filter((p) => p.t === t).sort((a, b) => a.n - b.n);
    const color = COLORS[t] ?? '#000';
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${line.map((p) => `${lx(p.n).toFixed(1)},${ly(p.v).toFixed(1)}`).join(' ')}"/>`);
    for (const p of line) out.push(`<circle cx="${lx(p.n).toFixed(1)}" cy="${ly(p.v).toFixed(1)}" r="3" fill="${color}"><title>${t} N=${p.n}: ${p.v}</title></circle>`);
  }
  return out.join('\n');
}

/** The chart as a standalone SVG document. */
export function chartSvg(steps: StepResult[]): string {
  const present = new Set(steps.map((s) => s.target as string));
  const legend = Object.entries(COLORS)
    .filter(([t]) => present.has(t) || t === 'direct')
    .map(([t, c], i) => `<rect x="${20 + i * 110}" y="272" width="12" height="12" fill="${c}"/><text x="${36 + i * 110}" y="283" font-size="12">${t}</text>`)
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="780" height="296" viewBox="0 0 780 296" font-family="sans-serif" font-size="12">
<rect width="780" height="296" fill="#fff"/>
${panel(steps, 0, 'Added p99 latency vs direct', 'ms', (s) => (s.target === 'direct' ? 0 : s.addedP99))}
${panel(steps, 400, 'Target CPU per 1000 sessions', 'cores', (s) => (s.target === 'direct' ? undefined : s.cpuPer1000))}
${legend}
<text x="420" y="283" font-size="11" fill="#555">direct = the limit (0 added, no proxy CPU)</text>
</svg>
`;
}
