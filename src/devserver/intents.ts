/**
 * Typed utterances that become MCP tool calls (stand-in for an LLM's function calling, §7.5).
 * Pure: returns the call to make, or null.
 */

export interface ToolIntent {
  name: string;
  arguments: Record<string, unknown>;
  /** What the reply says once the device answered. */
  describe: string;
}

const num = (s: string | undefined) => {
  const n = Number(s);
  return Number.isInteger(n) ? Math.max(0, Math.min(100, n)) : null;
};

/** Recognise "音量调到50", "set volume to 50", "亮度 30", "brightness 30", "dark theme", "主题 浅色"… */
export function matchIntent(text: string): ToolIntent | null {
  const t = text.trim().toLowerCase();
  let m = /(?:音量|volume)\D{0,12}?(\d{1,3})/.exec(t);
  if (m) {
    const volume = num(m[1]);
    if (volume !== null) return { name: 'self.audio_speaker.set_volume', arguments: { volume }, describe: `volume ${volume}` };
  }
  m = /(?:亮度|brightness)\D{0,12}?(\d{1,3})/.exec(t);
  if (m) {
    const brightness = num(m[1]);
    if (brightness !== null) return { name: 'self.screen.set_brightness', arguments: { brightness }, describe: `brightness ${brightness}` };
  }
  if (/(dark|深色|暗色|黑色)/.test(t) && /(theme|mode|主题|模式)/.test(t)) {
    return { name: 'self.screen.set_theme', arguments: { theme: 'dark' }, describe: 'dark theme' };
  }
  if (/(light|浅色|亮色|白色)/.test(t) && /(theme|mode|主题|模式)/.test(t)) {
    return { name: 'self.screen.set_theme', arguments: { theme: 'light' }, describe: 'light theme' };
  }
  if (/(device status|设备状态)/.test(t)) return { name: 'self.get_device_status', arguments: {}, describe: 'device status' };
  return null;
}

/** Wake words that get a greeting instead of being treated as a question (ES behaviour, §3.4). */
export const WAKE_WORDS: ReadonlySet<string> = new Set(['你好小智', '小智', '你好小志', 'hi xiaozhi', 'hey xiaozhi']);
