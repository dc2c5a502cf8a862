/** Horizontal level meter (RMS → dBFS-ish bar) shown while listening. */
export function LevelMeter(props: { level: number; label: string }) {
  // Map -60..0 dBFS to 0..100 %.
  const db = 20 * Math.log10(Math.max(props.level, 1e-6));
  const pct = Math.max(0, Math.min(100, ((db + 60) / 60) * 100));
  return (
    <div class="meter" role="meter" aria-label={props.label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)}>
      <div class="meter-bar" style={{ width: `${pct}%` }} />
    </div>
  );
}
