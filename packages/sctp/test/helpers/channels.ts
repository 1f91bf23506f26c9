import type { FakeClock } from '@rivulet/common';
import { DataChannelManager } from '../../src/channelManager.js';
import type { SctpAssociationOptions } from '../../src/options.js';
import { createPair, run, type Pair, type PathOptions } from './link.js';

export interface ChannelPair extends Pair {
  /** The DTLS client side (even stream ids). */
  ma: DataChannelManager;
  /** The DTLS server side (odd stream ids). */
  mb: DataChannelManager;
}

/** Two associations over an in-memory link, both started (as WebRTC peers do), with managers. */
export function createChannelPair(
  clock: FakeClock,
  path: PathOptions = {},
  options: Partial<SctpAssociationOptions> = {},
  seed = 1,
  maxMessageSize = 262144,
): ChannelPair {
  const pair = createPair(clock, path, options, seed);
  const ma = new DataChannelManager({ association: pair.a, dtlsRole: 'client', maxMessageSize });
  const mb = new DataChannelManager({ association: pair.b, dtlsRole: 'server', maxMessageSize });
  pair.a.start();
  pair.b.start();
  run(clock, () => pair.a.state === 'established' && pair.b.state === 'established', 30_000);
  return { ...pair, ma, mb };
}
