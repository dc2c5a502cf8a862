/**
 * Binary audio framing by Protocol-Version (xiaozhi-protocol.md §4.1). Every binary WebSocket message
 * carries exactly one Opus packet; multi-byte fields are big-endian.
 *   v1: the raw packet.
 *   v2: u16 version(=2) | u16 type (0 opus, 1 json) | u32 reserved | u32 timestamp ms | u32 payload_size | payload
 *   v3: u8 type | u8 reserved | u16 payload_size | payload
 */

export type ProtocolVersion = 1 | 2 | 3;

export const V2_HEADER_BYTES = 16;
export const V3_HEADER_BYTES = 4;
/** Frame type field: every binary frame is treated as audio by receivers; 1 marks JSON in v2. */
export const FRAME_TYPE_OPUS = 0;
export const FRAME_TYPE_JSON = 1;

export type FrameErrorCode = 'XZ_FRAME_SHORT_HEADER' | 'XZ_FRAME_PAYLOAD_OVERRUN' | 'XZ_FRAME_BAD_VERSION';

export type DecodedFrame =
  | { ok: true; payload: Uint8Array; timestamp: number; type: number }
  | { ok: false; code: FrameErrorCode; detail: string };

/** Parse a `Protocol-Version` header value; absent means 1 (firmware default), anything else invalid → null. */
export function parseProtocolVersion(value: string | number | undefined | null): ProtocolVersion | null {
  if (value === undefined || value === null || value === '') return 1;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  return n === 1 || n === 2 || n === 3 ? n : null;
}

/**
 * Wrap one Opus packet for the given version. Returns the packet itself for v1 (no copy).
 * Throws RangeError when a v3 payload exceeds its 16-bit size field — a programming error, not input.
 */
export function encodeAudioFrame(
  version: ProtocolVersion,
  payload: Uint8Array,
  timestamp = 0,
  type = FRAME_TYPE_OPUS,
): Uint8Array {
  if (version === 1) return payload;
  if (version === 2) {
    const out = new Uint8Array(V2_HEADER_BYTES + payload.length);
    const dv = new DataView(out.buffer);
    dv.setUint16(0, 2);
    dv.setUint16(2, type);
    dv.setUint32(4, 0);
    dv.setUint32(8, timestamp >>> 0);
    dv.setUint32(12, payload.length);
    out.set(payload, V2_HEADER_BYTES);
    return out;
  }
  if (payload.length > 0xffff) throw new RangeError(`v3 payload of ${payload.length} bytes exceeds 65535`);
  const out = new Uint8Array(V3_HEADER_BYTES + payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint8(0, type);
  dv.setUint8(1, 0);
  dv.setUint16(2, payload.length);
  out.set(payload, V3_HEADER_BYTES);
  return out;
}

/**
 * Unwrap one binary frame. Never throws: short headers and sizes that run past the frame are errors.
 * Like the firmware, the payload length comes from `payload_size`, not from the frame length, so
 * trailing bytes are ignored. The returned payload is a view into `frame` (no copy).
 */
export function decodeAudioFrame(version: ProtocolVersion, frame: Uint8Array): DecodedFrame {
  if (version === 1) return { ok: true, payload: frame, timestamp: 0, type: FRAME_TYPE_OPUS };
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (version === 2) {
    if (frame.length < V2_HEADER_BYTES) {
      return { ok: false, code: 'XZ_FRAME_SHORT_HEADER', detail: `v2 frame of ${frame.length} bytes is shorter than its 16-byte header` };
    }
    const fieldVersion = dv.getUint16(0);
    if (fieldVersion !== 2) {
      return { ok: false, code: 'XZ_FRAME_BAD_VERSION', detail: `v2 frame header says version ${fieldVersion}` };
    }
    const size = dv.getUint32(12);
    if (size > frame.length - V2_HEADER_BYTES) {
      return { ok: false, code: 'XZ_FRAME_PAYLOAD_OVERRUN', detail: `v2 payload_size ${size} exceeds the ${frame.length - V2_HEADER_BYTES} bytes present` };
    }
    return { ok: true, payload: frame.subarray(V2_HEADER_BYTES, V2_HEADER_BYTES + size), timestamp: dv.getUint32(8), type: dv.getUint16(2) };
  }
  if (frame.length < V3_HEADER_BYTES) {
    return { ok: false, code: 'XZ_FRAME_SHORT_HEADER', detail: `v3 frame of ${frame.length} bytes is shorter than its 4-byte header` };
  }
  const size = dv.getUint16(2);
  if (size > frame.length - V3_HEADER_BYTES) {
    return { ok: false, code: 'XZ_FRAME_PAYLOAD_OVERRUN', detail: `v3 payload_size ${size} exceeds the ${frame.length - V3_HEADER_BYTES} bytes present` };
  }
  return { ok: true, payload: frame.subarray(V3_HEADER_BYTES, V3_HEADER_BYTES + size), timestamp: 0, type: dv.getUint8(0) };
}
