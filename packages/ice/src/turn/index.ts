// TURN client (RFC 8656) over UDP and TCP, and a minimal TURN server for tests.
export type { TurnServerConfig, TurnAllocation, TurnState, AllocateTurnOptions, TurnCounter } from './types.js';
export { TurnError } from './types.js';
export { allocateTurn, TurnClient } from './client.js';
export { TurnTestServer, type TurnTestServerOptions, type TurnTestServerCounter } from './testServer.js';
export {
  encodeChannelData,
  parseChannelData,
  isChannelData,
  TurnStreamFramer,
  MIN_CHANNEL,
  MAX_CHANNEL,
  type ChannelData,
} from './channelData.js';
