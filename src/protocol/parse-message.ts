/**
 * Text-frame parsing that never throws (aesthetics §7.3): a typed message, an "unknown type" report
 * (forwarded by relays, shown by the page), or a descriptive error.
 */
import * as v from 'valibot';
import {
  CLIENT_MESSAGE_SCHEMAS,
  SERVER_MESSAGE_SCHEMAS,
  type ClientMessage,
  type ServerMessage,
} from './messages.ts';

export type ParseErrorCode = 'XZ_INVALID_JSON' | 'XZ_NOT_AN_OBJECT' | 'XZ_MISSING_TYPE' | 'XZ_INVALID_MESSAGE';

export type ParseResult<M> =
  | { kind: 'message'; message: M }
  | { kind: 'unknown'; type: string; raw: Record<string, unknown> }
  | { kind: 'error'; code: ParseErrorCode; detail: string };

/** Parse a device → server text frame. */
export function parseClientMessage(text: string): ParseResult<ClientMessage> {
  return parseWith(text, CLIENT_MESSAGE_SCHEMAS) as ParseResult<ClientMessage>;
}

/** Parse a server → device text frame. */
export function parseServerMessage(text: string): ParseResult<ServerMessage> {
  return parseWith(text, SERVER_MESSAGE_SCHEMAS) as ParseResult<ServerMessage>;
}

function parseWith(text: string, schemas: Record<string, v.GenericSchema>): ParseResult<unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { kind: 'error', code: 'XZ_INVALID_JSON', detail: `not valid JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'error', code: 'XZ_NOT_AN_OBJECT', detail: 'a control message must be a JSON object' };
  }
  const raw = value as Record<string, unknown>;
  if (typeof raw.type !== 'string' || raw.type === '') {
    return { kind: 'error', code: 'XZ_MISSING_TYPE', detail: 'the message has no string "type" field' };
  }
  const schema = Object.hasOwn(schemas, raw.type) ? schemas[raw.type] : undefined;
  if (!schema) return { kind: 'unknown', type: raw.type, raw };
  const result = v.safeParse(schema, raw);
  if (result.success) return { kind: 'message', message: result.output };
  return { kind: 'error', code: 'XZ_INVALID_MESSAGE', detail: `${raw.type}: ${describeIssues(result.issues)}` };
}

/** "state: expected "start" | "stop" but received undefined; ..." — short enough for a close reason. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
