import { describe, expect, it } from 'vitest';
import { makeIdentity } from './identity.ts';
import { extractFields, newConfigObject, newEfuseObject, patchConfig, patchEfuse, serializePyJson, type JsonFile } from './py-xiaozhi-files.ts';

const identity = makeIdentity({ mac: '58:11:22:b7:26:42', hostname: 'h', clientId: '975b0760-0000-4000-8000-000000000000' });
const file = (path: string, data: Record<string, unknown>): JsonFile => ({ path, data, text: serializePyJson(data) });

describe('py-xiaozhi field mapping', () => {
  it('reads what it writes', () => {
    const f = extractFields(file('/c', newConfigObject(identity, 'http://x/ota/')), file('/e', newEfuseObject(identity)));
    expect(f.identity).toEqual(identity);
    expect(f.server.otaUrl).toBe('http://x/ota/');
    expect(f.server.activationVersion).toBe('v2');
    expect(f.token).toBeNull();
    expect(f.activated).toBe(false);
  });

  it('names the file and field that are missing', () => {
    const cfg = newConfigObject(identity, 'http://x/');
    delete (cfg['SYSTEM_OPTIONS'] as Record<string, unknown>)['CLIENT_ID'];
    expect(() => extractFields(file('/data/a/config/config.json', cfg), file('/e', newEfuseObject(identity)))).toThrow(
      '/data/a/config/config.json: missing or invalid SYSTEM_OPTIONS.CLIENT_ID',
    );
    const ef = newEfuseObject(identity);
    delete ef['hmac_key'];
    expect(() => extractFields(file('/c', newConfigObject(identity, 'http://x/')), file('/data/a/config/efuse.json', ef))).toThrow(
      /efuse\.json: missing or invalid hmac_key/,
    );
  });

  it('patches only our keys and keeps the legacy "activated" flag name', () => {
    const cfg = { CONFIG_VERSION: 1, SYSTEM_OPTIONS: { CLIENT_ID: 'c', NETWORK: { FOO: 1 } }, X: [1] };
    patchConfig(cfg, { token: 'tok', websocketUrl: 'wss://a/' });
    expect(cfg).toEqual({ CONFIG_VERSION: 1, SYSTEM_OPTIONS: { CLIENT_ID: 'c', NETWORK: { FOO: 1, WEBSOCKET_ACCESS_TOKEN: 'tok', WEBSOCKET_URL: 'wss://a/' } }, X: [1] });
    const legacy: Record<string, unknown> = { activated: false };
    patchEfuse(legacy, { activated: true });
    expect(legacy).toEqual({ activated: true });
  });

  it('serialises like python json.dumps(indent=2, ensure_ascii=False)', () => {
    expect(serializePyJson({ a: [1, 2], b: { c: '你好' }, d: null })).toBe('{\n  "a": [\n    1,\n    2\n  ],\n  "b": {\n    "c": "你好"\n  },\n  "d": null\n}');
  });
});
