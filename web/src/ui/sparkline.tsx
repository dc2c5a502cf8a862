/** A tiny SVG sparkline for the stats panel (values drawn, not just printed). */
export function Sparkline(props: { values: number[]; max?: number; label: string; unit: string; digits?: number }) {
  const { values, label, unit } = props;
  const w = 120;
  const h = 28;
  const max = Math.max(props.max ?? 0, ...values, 1e-9);
  const n = Math.max(values.length, 2);
  const pts = values.map((v, i) => `${((i / (n - 1)) * w).toFixed(1)},${(h - (v / max) * (h - 2) - 1).toFixed(1)}`).join(' ');
  const last = values.at(-1) ?? 0;
  return (
    <div class="spark">
      <span class="spark-label">{label}</span>
      <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={`${label} ${last.toFixed(props.digits ?? 0)} ${unit}`}>
        <polyline points={pts} fill="none" stroke="currentColor" stroke-width="1.5" />
      </svg>
      <span class="spark-value">
        {last.toFixed(props.digits ?? 0)} {unit}
      </span>
    </div>
  );
}
