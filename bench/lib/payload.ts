/**
 * Binary frames of the bench session model (reliability-performance.md §3.3): every frame carries its send
 * time so latency = arrival − send on one clock. All processes run on one host and `process.hrtime` reads
 * CLOCK_MONOTONIC, which is shared by every process, so stamps from the upstream and the load generator
 * compare directly.
 *
 * Layout (little endian): [0] kind, [1..3] reserved, [4..7] uint32 seq, [8..15] f64 send ms,
 * [16..23] f64 upstream receive ms (echoes only), rest filler.
 */

/** Uplink "mic" packet from the load generator (echoed back by the upstream). */
export const KIND_UP = 1;
/** Downlink "TTS" packet sent by the upstream. */
export const KIND_TTS = 2;
export const HEADER_BYTES = 24;

/** Monotonic milliseconds, comparable across processes on this host. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** A new frame of `size` bytes (≥ 24), stamped with the current time. */
export function makeFrame(kind: number, seq: number, size: number): Buffer {
  const b = Buffer.allocUnsafe(Math.max(size, HEADER_BYTES));
  b.fill(0x5a, HEADER_BYTES);
  b[0] = kind;
  b[1] = 0;
  b[2] = 0;
  b[3] = 0;
  b.writeUInt32LE(seq >>> 0, 4);
  b.writeDoubleLE(nowMs(), 8);
  b.writeDoubleLE(0, 16);
  return b;
}

export interface FrameStamp {
  kind: number;
  seq: number;
  sentMs: number;
  /** Upstream receive time of an echoed uplink frame; 0 otherwise. */
  upstreamMs: number;
}

/** Read a frame header; null when the buffer is too short or not one of ours. */
export function readFrame(b: Buffer): FrameStamp | null {
  if (b.length < HEADER_BYTES) return null;
  const kind = b[0]!;
  if (kind !== KIND_UP && kind !== KIND_TTS) return null;
  return { kind, seq: b.readUInt32LE(4), sentMs: b.readDoubleLE(8), upstreamMs: b.readDoubleLE(16) };
}
