import type { IceAgent, IceConnectionState } from '../../src/agent/index.js';

/** Wires two agents' signalling directly: parameters, trickled candidates, end-of-candidates. */
export function signal(a: IceAgent, b: IceAgent, options: { iceLiteB?: boolean; delayCandidates?: (deliver: () => void) => void } = {}): void {
  a.setRemoteParameters({ ...b.localParameters, iceLite: options.iceLiteB ?? false });
  b.setRemoteParameters(a.localParameters);
  const wire = (from: IceAgent, to: IceAgent) => {
    from.on('candidate', (c) => {
      const deliver = () => {
        if (to.state !== 'closed') to.addRemoteCandidate(c);
      };
      if (options.delayCandidates) options.delayCandidates(deliver);
      else deliver();
    });
    from.on('gatheringstatechange', (s) => {
      if (s === 'complete') {
        const deliver = () => {
          if (to.state !== 'closed') to.addRemoteCandidate(null);
        };
        if (options.delayCandidates) options.delayCandidates(deliver);
        else deliver();
      }
    });
  };
  wire(a, b);
  wire(b, a);
}

export function isUp(s: IceConnectionState): boolean {
  return s === 'connected' || s === 'completed';
}

/** Real-time wait with a bound. */
export async function waitUntil(cond: () => boolean, maxMs: number, what: string): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${maxMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
