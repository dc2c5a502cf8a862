/**
 * The firmware's common tools (xiaozhi-protocol.md §7.4), implemented for real on the page:
 * volume drives the playback gain, theme and brightness change the page.
 */
import type { DeviceTool } from './mcp-device-server.ts';

/** What the tools act on; the app passes the live implementations. */
export interface DeviceControls {
  getVolume(): number;
  setVolume(volume: number): void;
  getTheme(): 'light' | 'dark';
  setTheme(theme: 'light' | 'dark'): void;
  getBrightness(): number;
  setBrightness(brightness: number): void;
  /** Extra status fields (network, listening state, …). */
  status(): Record<string, unknown>;
}

export function builtinTools(d: DeviceControls): DeviceTool[] {
  return [
    {
      name: 'self.get_device_status',
      description:
        'Provides the real-time information of the device, including the current status of the audio speaker, screen, network, etc. Use this tool before answering questions about the device or before changing a setting.',
      inputSchema: { type: 'object', properties: {} },
      run: () => ({
        audio_speaker: { volume: d.getVolume() },
        screen: { brightness: d.getBrightness(), theme: d.getTheme() },
        ...d.status(),
      }),
    },
    {
      name: 'self.audio_speaker.set_volume',
      description: 'Set the volume of the audio speaker. If the current volume is unknown, call self.get_device_status first.',
      inputSchema: {
        type: 'object',
        properties: { volume: { type: 'integer', minimum: 0, maximum: 100 } },
        required: ['volume'],
      },
      run: ({ volume }) => {
        d.setVolume(volume as number);
        return true;
      },
    },
    {
      name: 'self.screen.set_brightness',
      description: 'Set the brightness of the screen.',
      inputSchema: {
        type: 'object',
        properties: { brightness: { type: 'integer', minimum: 0, maximum: 100 } },
        required: ['brightness'],
      },
      run: ({ brightness }) => {
        d.setBrightness(brightness as number);
        return true;
      },
    },
    {
      name: 'self.screen.set_theme',
      description: 'Set the theme of the screen. The theme can be `light` or `dark`.',
      inputSchema: {
        type: 'object',
        properties: { theme: { type: 'string', enum: ['light', 'dark'] } },
        required: ['theme'],
      },
      run: ({ theme }) => {
        d.setTheme(theme as 'light' | 'dark');
        return true;
      },
    },
  ];
}
