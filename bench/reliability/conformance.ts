/**
 * Relay conformance in the spirit of Autobahn|Testsuite classes 1–7 (reliability-performance.md §2.1):
 * raw-socket client ⇄ target (gateway) ⇄ echo upstream. A per-hop relay may answer pings itself and re-frame
 * messages; what must hold end to end is: data comes back intact, protocol errors close 1002, invalid UTF-8
 * closes 1007, valid close codes are echoed, invalid ones refused, 123-byte reasons survive.
 */
import { closePayload, rawConnect, type FrameSpec, type RawConnection } from './raw-ws.ts';

export interface ConformanceTarget {
  port: number;
  /** Path + query to open, e.g. `/api/ws-proxy?token=…` or `/xiaozhi/v1/`. */
  path: string;
  headers?: Record<string, string>;
  /** Browser→target message cap, when the target has one (a 1009 case is added). */
  maxMessageBytes?: number;
}

export interface CaseResult {
  id: string;
  title: string;
  ok: boolean;
  detail: string;
}

export interface ConformanceReport {
  cases: number;
  failures: number;
  results: CaseResult[];
}

type Check = (c: RawConnection) => Promise<string | null>;
const TEXT = 0x1, BIN = 0x2, CONT = 0x0, CLOSE = 0x8, PING = 0x9, PONG = 0xa;

async function expectData(c: RawConnection, opcode: number, payload: Buffer): Promise<string | null> {
  const parts: Buffer[] = [];
  let first = -1;
  for (;;) {
    const f = await c.next(3000);
    if (!f) return `no ${opcode === TEXT ? 'text' : 'binary'} echo (connection ended or timed out)`;
    if (f.opcode === PONG || f.opcode === PING) continue;
    if (f.opcode === CLOSE) return `closed ${f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005} instead of echoing`;
    if (first < 0) first = f.opcode;
    parts.push(f.payload);
    if (f.fin) break;
  }
  const got = Buffer.concat(parts);
  if (first !== opcode) return `echo had opcode ${first}, expected ${opcode}`;
  if (!got.equals(payload)) return `echo differs (${got.length} B vs ${payload.length} B)`;
  return null;
}

async function expectPong(c: RawConnection, payload: Buffer): Promise<string | null> {
  const f = await c.next(3000);
  if (!f) return 'no pong';
  if (f.opcode !== PONG) return `got opcode ${f.opcode} instead of pong`;
  return f.payload.equals(payload) ? null : 'pong payload differs';
}

async function expectClose(c: RawConnection, codes: number[], reason?: Buffer): Promise<string | null> {
  const r = await c.waitClose(4000);
  if (!codes.includes(r.code)) return `close code ${r.code}${r.code === 1006 ? ' (TCP ended or timed out without a Close frame)' : ''}, expected ${codes.join('/')}`;
  if (reason && !r.reason.equals(reason)) return `close reason differs (${r.reason.length} B vs ${reason.length} B)`;
  return null;
}

const sendThen = (frames: FrameSpec[], then: Check): Check => async (c) => {
  c.send(...frames);
  return then(c);
};
const protocolError = (frames: FrameSpec[]): Check => sendThen(frames, (c) => expectClose(c, [1002]));
const badUtf8 = (frames: FrameSpec[]): Check => sendThen(frames, (c) => expectClose(c, [1007]));

/** The case table; `limit` adds the message-size case. */
export function conformanceCases(limit?: number): Array<{ id: string; title: string; check: Check }> {
  const cases: Array<{ id: string; title: string; check: Check }> = [];
  const add = (id: string, title: string, check: Check) => cases.push({ id, title, check });
  const bytes = (n: number, fill = 0x61) => Buffer.alloc(n, fill);

  add('1.1', 'empty text echoed', sendThen([{ opcode: TEXT, payload: '' }], (c) => expectData(c, TEXT, Buffer.alloc(0))));
  add('1.2', 'text 125 B echoed', sendThen([{ opcode: TEXT, payload: bytes(125) }], (c) => expectData(c, TEXT, bytes(125))));
  add('1.3', 'text 126 B (16-bit length) echoed', sendThen([{ opcode: TEXT, payload: bytes(126) }], (c) => expectData(c, TEXT, bytes(126))));
  add('1.4', 'binary 65535 B echoed', sendThen([{ opcode: BIN, payload: bytes(65535, 0xfe) }], (c) => expectData(c, BIN, bytes(65535, 0xfe))));
  add('1.5', 'binary 0 B echoed', sendThen([{ opcode: BIN, payload: Buffer.alloc(0) }], (c) => expectData(c, BIN, Buffer.alloc(0))));

  add('2.1', 'ping without payload → pong', sendThen([{ opcode: PING }], (c) => expectPong(c, Buffer.alloc(0))));
  add('2.2', 'ping 125 B → same pong', sendThen([{ opcode: PING, payload: bytes(125, 0x01) }], (c) => expectPong(c, bytes(125, 0x01))));
  add('2.3', 'ping 126 B → 1002', protocolError([{ opcode: PING, payload: bytes(126) }]));
  add('2.4', 'unsolicited pong ignored, echo still works', sendThen([{ opcode: PONG, payload: 'x' }, { opcode: TEXT, payload: 'after pong' }], (c) => expectData(c, TEXT, Buffer.from('after pong'))));
  add('2.5', '10 pings → 10 pongs in order', async (c) => {
    for (let i = 0; i < 10; i++) c.send({ opcode: PING, payload: `p${i}` });
    for (let i = 0; i < 10; i++) {
      const e = await expectPong(c, Buffer.from(`p${i}`));
      if (e) return `pong ${i}: ${e}`;
    }
    return null;
  });

  for (let rsv = 1; rsv <= 7; rsv++) add(`3.${rsv}`, `text with RSV=${rsv} (no extension) → 1002`, protocolError([{ opcode: TEXT, rsv, payload: 'rsv' }]));
  for (const op of [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]) add(`4.${op}`, `reserved opcode ${op} → 1002`, protocolError([{ opcode: op, payload: 'op' }]));

  add('5.1', 'fragmented ping → 1002', protocolError([{ opcode: PING, fin: false, payload: 'a' }, { opcode: CONT, payload: 'b' }]));
  add('5.2', 'text in 2 fragments echoed whole', sendThen([{ opcode: TEXT, fin: false, payload: 'frag1-' }, { opcode: CONT, payload: 'frag2' }], (c) => expectData(c, TEXT, Buffer.from('frag1-frag2'))));
  add('5.3', 'text in 3 fragments with a ping between → pong, then the whole text', sendThen(
    [{ opcode: TEXT, fin: false, payload: 'a-' }, { opcode: PING, payload: 'mid' }, { opcode: CONT, fin: false, payload: 'b-' }, { opcode: CONT, payload: 'c' }],
    async (c) => (await expectPong(c, Buffer.from('mid'))) ?? expectData(c, TEXT, Buffer.from('a-b-c')),
  ));
  add('5.4', 'binary fragments with 2 pings interleaved', sendThen(
    [{ opcode: BIN, fin: false, payload: bytes(10, 1) }, { opcode: PING, payload: '1' }, { opcode: CONT, fin: false, payload: bytes(10, 2) }, { opcode: PING, payload: '2' }, { opcode: CONT, payload: bytes(10, 3) }],
    async (c) => (await expectPong(c, Buffer.from('1'))) ?? (await expectPong(c, Buffer.from('2'))) ?? expectData(c, BIN, Buffer.concat([bytes(10, 1), bytes(10, 2), bytes(10, 3)])),
  ));
  add('5.5', 'continuation without a start → 1002', protocolError([{ opcode: CONT, payload: 'orphan' }]));
  add('5.6', 'new text frame inside a fragmented message → 1002', protocolError([{ opcode: TEXT, fin: false, payload: 'a' }, { opcode: TEXT, payload: 'b' }]));
  add('5.7', 'text in 100 one-byte fragments echoed whole', sendThen(
    Array.from({ length: 100 }, (_, i) => ({ opcode: i === 0 ? TEXT : CONT, fin: i === 99, payload: String.fromCharCode(97 + (i % 26)) })),
    (c) => expectData(c, TEXT, Buffer.from(Array.from({ length: 100 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''))),
  ));
  add('5.8', 'fragmented close → 1002', protocolError([{ opcode: CLOSE, fin: false, payload: closePayload(1000) }]));

  const kosme = Buffer.from('κόσμε 小智 🎤');
  add('6.1', 'valid multi-byte UTF-8 echoed', sendThen([{ opcode: TEXT, payload: kosme }], (c) => expectData(c, TEXT, kosme)));
  add('6.2', 'valid UTF-8 split inside a code point across fragments', sendThen([{ opcode: TEXT, fin: false, payload: kosme.subarray(0, 2) }, { opcode: CONT, payload: kosme.subarray(2) }], (c) => expectData(c, TEXT, kosme)));
  add('6.3', 'invalid byte 0xff → 1007', badUtf8([{ opcode: TEXT, payload: Buffer.from([0x61, 0xff, 0x62]) }]));
  add('6.4', 'overlong encoding C0 AF → 1007', badUtf8([{ opcode: TEXT, payload: Buffer.from([0xc0, 0xaf]) }]));
  add('6.5', 'UTF-16 surrogate ED A0 80 → 1007', badUtf8([{ opcode: TEXT, payload: Buffer.from([0xed, 0xa0, 0x80]) }]));
  add('6.6', 'invalid UTF-8 in a later fragment → 1007', badUtf8([{ opcode: TEXT, fin: false, payload: 'ok ' }, { opcode: CONT, payload: Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]) }]));
  add('6.7', 'message ends inside a code point → 1007', badUtf8([{ opcode: TEXT, payload: Buffer.from([0x61, 0xe4, 0xbd]) }]));
  add('6.8', 'code point above U+10FFFF → 1007', badUtf8([{ opcode: TEXT, payload: Buffer.from([0xf4, 0x90, 0x80, 0x80]) }]));

  add('7.1', 'close 1000 echoed', sendThen([{ opcode: CLOSE, payload: closePayload(1000) }], (c) => expectClose(c, [1000])));
  add('7.2', 'empty close answered with empty close', sendThen([{ opcode: CLOSE }], (c) => expectClose(c, [1005])));
  add('7.3', 'close payload of 1 byte → 1002', protocolError([{ opcode: CLOSE, payload: Buffer.from([0x03]) }]));
  const reason123 = Buffer.from(`${'原因'.repeat(20)}${'r'.repeat(3)}`); // 20 × 6 B + 3 B = 123 B
  add('7.4', 'close 1000 with a 123-byte UTF-8 reason echoed intact', sendThen([{ opcode: CLOSE, payload: closePayload(1000, reason123) }], (c) => expectClose(c, [1000], reason123)));
  add('7.5', 'close reason with invalid UTF-8 → 1007', sendThen([{ opcode: CLOSE, payload: closePayload(1000, Buffer.from([0xff, 0xfe])) }], (c) => expectClose(c, [1007])));
  add('7.6', 'text after close is ignored (close still answered)', sendThen([{ opcode: CLOSE, payload: closePayload(1000) }, { opcode: TEXT, payload: 'late' }], (c) => expectClose(c, [1000])));
  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]) {
    add(`7.7.${code}`, `valid close code ${code} echoed`, sendThen([{ opcode: CLOSE, payload: closePayload(code, 'bye') }], (c) => expectClose(c, [code])));
  }
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
    add(`7.9.${code}`, `invalid close code ${code} refused with 1002`, protocolError([{ opcode: CLOSE, payload: closePayload(code) }]));
  }
  if (limit !== undefined) {
    add('9.1', `message of ${limit} B (the cap) echoed`, sendThen([{ opcode: BIN, payload: bytes(limit, 7) }], (c) => expectData(c, BIN, bytes(limit, 7))));
    add('9.2', `message of ${limit + 1} B → 1009`, sendThen([{ opcode: BIN, payload: bytes(limit + 1, 7) }], (c) => expectClose(c, [1009])));
  }
  return cases;
}

/** Run every case on its own connection, a few at a time. */
export async function runConformance(target: ConformanceTarget, parallel = 4): Promise<ConformanceReport> {
  const cases = conformanceCases(target.maxMessageBytes);
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= cases.length) return;
      const k = cases[i]!;
      let detail: string | null;
      let c: RawConnection | undefined;
      try {
        c = await rawConnect(target.port, target.path, target.headers ?? {});
        detail = await k.check(c);
      } catch (err) {
        detail = `error: ${(err as Error).message}`;
      } finally {
        c?.destroy();
      }
      results[i] = { id: k.id, title: k.title, ok: detail === null, detail: detail ?? 'ok' };
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { cases: results.length, failures: results.filter((r) => !r.ok).length, results };
}
