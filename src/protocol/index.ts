/** The protocol core, shared by browser and Node: no platform imports anywhere in this folder. */
export * from './audio-params.ts';
export * from './binary-frame.ts';
export * from './close-codes.ts';
export * from './errors.ts';
export * from './identity-format.ts';
export * from './mcp-jsonrpc.ts';
export * from './messages.ts';
export * from './ota.ts';
export * from './parse-message.ts';
export * from './token-hint.ts';
