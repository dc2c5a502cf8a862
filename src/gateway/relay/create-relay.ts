import type { Relay, RelayOptions } from './index.ts';

/** Placeholder until the relay implementation lands (contract first, see index.ts). */
export function createRelay(_options: RelayOptions): Relay {
  throw new Error('relay not implemented yet');
}
