/**
 * Splice mode (src/gateway/relay/splice.ts) seen at the byte level: raw client → relay → raw upstream.
 * Data frames must arrive exactly as sent (same fragmentation, same masking keys), whatever the TCP
 * chunking; control frames stay per hop; every protocol rule still fails the leg with ws's code; and
 * `framed` mode, for contrast, re-frames (which is what makes the exactness checks meaningful).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { frame, rawClient, rawUpstream, type WireFrame } from './raw-peers.ts';
import { startRelayHarness, target, type RelayHarness } from './relay-harness.ts';

let up: Awaited<ReturnType<typeof rawUpstream>>;
const harnesses: RelayHarness[] = [];

beforeAll(async () => {
  up = await rawUpstream();
});
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});
afterAll(async () => {
  await up?.close();
});

async function session(mode: 'splice' | 'framed' = 'splice', extra: Parameters<typeof startRelayHarness>[1] = {}) {
  const h = await startRelayHarness(target(up.url), { mode, closeTimeoutMs: 500, ...extra });
  harnesses.push(h);
  const serverSide = up.next();
  const client = await rawClient(h.port, '/ws');
  return { h, client, server: await serverSide };
}

const dataFrames = (fs: WireFrame[]) => fs.filter((f) => f.opcode < 8);
const closeOf = (fs: WireFrame[]) => {
  const c = fs.find((f) => f.opcode === 8);
  return c ? c.payload.readUInt16BE(0) : undefined;
};
const hasClose = (fs: WireFrame[]) => fs.some((f) => f.opcode === 8);
const bin = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff));

describe('splice mode', () => {
  it('relays client frames byte for byte (masking keys, fragments) through any TCP chunking', async () => {
    const { h, client, server } = await session();
    const hello = frame(1, '{"type":"hello","version":1,"transport":"websocket"}', { mask: true });
    const audio = Array.from({ length: 20 }, (_, i) => frame(2, bin(120, i), { mask: true }));
    const fragmented = [
      frame(1, '{"type":"listen",', { fin: false, mask: true }),
      frame(0, '"state":"detect",', { fin: false, mask: true }),
      frame(0, '"text":"你好"}', { mask: true }),
    ];
    const mid = frame(2, bin(300, 9), { mask: true }); // 16-bit length
    const big = frame(2, bin(40_000, 3), { mask: true }); // 16-bit length, spans many reads
    const stream = Buffer.concat([hello, ...audio, ...fragmented, mid, big]);
    await client.write(stream.subarray(0, 1000), 7); // tiny pieces: headers split across reads
    await client.write(stream.subarray(1000)); // the rest in one go: many frames per read
    await server.until((fs) => dataFrames(fs).length === 1 + 20 + 3 + 2);
    expect(server.bytes().equals(stream)).toBe(true);
    const rec = h.relay.recentSessions().at(-1)!;
    expect(rec.relayMode).toBe('splice');
    expect(rec.helloSent).toBe(true);
    expect(rec.framesUp).toBe(1 + 20 + 1 + 2); // messages, not fragments
    expect(rec.bytesUp).toBe(hello.length - 6 + 20 * 120 + Buffer.byteLength('{"type":"listen","state":"detect","text":"你好"}') + 300 + 40_000);
  });

  it('relays server frames byte for byte, and a 64-bit length frame too', async () => {
    const { h, client, server } = await session();
    const out = Buffer.concat([
      frame(1, '{"type":"hello","transport":"websocket","session_id":"s1"}', { mask: false }),
      frame(1, '{"type":"tts","state":"start"}', { mask: false }),
      ...Array.from({ length: 30 }, (_, i) => frame(2, bin(150, i), { mask: false })),
      frame(2, bin(70_000, 1), { mask: false }), // 127 + 64-bit length (the server leg allows 1 MiB)
      frame(1, '{"type":"tts",', { fin: false, mask: false }),
      frame(0, '"state":"stop"}', { mask: false }),
    ]);
    await server.write(out.subarray(0, 500), 3);
    await server.write(out.subarray(500));
    await client.until((fs) => dataFrames(fs).length === 35);
    expect(client.bytes().equals(out)).toBe(true);
    const rec = h.relay.recentSessions().at(-1)!;
    expect(rec.helloAnswered).toBe(true);
    expect(rec.sessionIdSeen).toBe(true);
    expect(rec.framesDown).toBe(34);
  });

  it('keeps control frames per hop: a ping is answered by the gateway and never reaches the server', async () => {
    const { client, server } = await session();
    await client.write(Buffer.concat([
      frame(1, 'part one ', { fin: false, mask: true }),
      frame(9, 'are you there', { mask: true }), // a ping between fragments (RFC 6455 §5.4)
      frame(0, 'part two', { mask: true }),
    ]));
    await client.until((fs) => fs.some((f) => f.opcode === 10));
    expect(client.frames().find((f) => f.opcode === 10)!.payload.toString()).toBe('are you there');
    await server.until((fs) => dataFrames(fs).length === 2);
    expect(server.frames().map((f) => f.opcode)).toEqual([1, 0]);
    expect(Buffer.concat(server.frames().map((f) => f.payload)).toString()).toBe('part one part two');
  });

  it('gateway pings land between relayed frames, never inside one', async () => {
    const { client, server } = await session('splice', { keepaliveIntervalMs: 15 });
    const frames = Array.from({ length: 12 }, (_, i) => frame(2, bin(3000, i), { mask: true }));
    await client.write(Buffer.concat(frames), 97); // ≈ 370 reads while the keepalive pings every 15 ms
    const got = await server.until((fs) => dataFrames(fs).length === 12, 10_000);
    expect(got.filter((f) => f.opcode === 9).length).toBeGreaterThan(0);
    expect(dataFrames(got).map((f) => f.payload)).toEqual(frames.map((_, i) => bin(3000, i)));
  });

  it('a fragmented message over the 64 KiB cap closes 1009 (ws sees only one fragment at a time here)', async () => {
    const { client, server } = await session();
    await client.write(Buffer.concat([
      frame(2, bin(30_000, 1), { fin: false, mask: true }),
      frame(0, bin(30_000, 2), { fin: false, mask: true }),
      frame(0, bin(30_000, 3), { mask: true }),
    ]));
    await client.until(hasClose);
    expect(closeOf(client.frames())).toBe(1009);
    await server.until(hasClose);
    expect(closeOf(server.frames())).toBe(1001);
  });

  it('invalid UTF-8 split across fragments closes 1007; a new message inside a fragmented one closes 1002', async () => {
    const a = await session();
    const euro = Buffer.from('€'); // e2 82 ac
    await a.client.write(Buffer.concat([
      frame(1, Buffer.concat([Buffer.from('ok '), euro.subarray(0, 2)]), { fin: false, mask: true }),
      frame(0, Buffer.from([0x41]), { mask: true }), // e2 82 41: broken sequence
    ]));
    await a.client.until(hasClose);
    expect(closeOf(a.client.frames())).toBe(1007);
    await a.server.until(hasClose);
    // Earlier fragments may have been relayed already (as in any streaming proxy), the message never completes.
    expect(dataFrames(a.server.frames()).some((f) => f.fin)).toBe(false);

    const b = await session();
    await b.client.write(Buffer.concat([frame(1, 'start', { fin: false, mask: true }), frame(2, 'oops', { mask: true })]));
    await b.client.until(hasClose);
    expect(closeOf(b.client.frames())).toBe(1002);
  });

  it('an unmasked client frame closes 1002, a masked server frame closes the browser leg 1011', async () => {
    const a = await session();
    // A good frame in the same read as the bad one is still delivered (ws delivers what it parsed first).
    await a.client.write(Buffer.concat([frame(2, 'good', { mask: true }), frame(2, 'x', { mask: false })]));
    await a.client.until(hasClose);
    expect(closeOf(a.client.frames())).toBe(1002);
    await a.server.until(hasClose);
    expect(dataFrames(a.server.frames()).map((f) => f.payload.toString())).toEqual(['good']);

    const b = await session();
    await b.server.write(frame(2, 'x', { mask: true }));
    await b.client.until(hasClose);
    expect(closeOf(b.client.frames())).toBe(1011);
    await b.server.until(hasClose);
    expect(closeOf(b.server.frames())).toBe(1002);
  });

  it('framed mode (RELAY_MODE=framed) reassembles and re-frames instead', async () => {
    const { h, client, server } = await session('framed');
    const sent = Buffer.concat([frame(1, 'ab', { fin: false, mask: true }), frame(0, 'cd', { mask: true })]);
    await client.write(sent);
    await server.until((fs) => dataFrames(fs).length === 1);
    expect(server.frames()[0]!.payload.toString()).toBe('abcd');
    expect(server.bytes().equals(sent)).toBe(false);
    expect(h.relay.recentSessions().at(-1)!.relayMode).toBe('framed');
  });
});
