import { nodeNetwork, realClock, type Clock, type Network } from '@rivulet/common';
import type { IceAgentOptions, IceTransportPolicy } from './types.js';

/** The timing and cap options an IceAgent runs with, defaults filled in and checked. */
export type ResolvedAgentTimings = Required<Pick<IceAgentOptions, 'taMs' | 'checkRtoMs' | 'nominationDelayMs' | 'maxRemoteCandidates' | 'maxPeerReflexive'>> & {
  software: string | undefined;
};

export interface ResolvedAgentOptions {
  clock: Clock;
  network: Network;
  policy: IceTransportPolicy;
  iceLite: boolean;
  /** The initial role: a lite agent is always controlled (RFC 8445 §6.1.1). */
  controlling: boolean;
  timings: ResolvedAgentTimings;
}

/**
 * Checks the IceAgent constructor options and fills in defaults (Ta 50 ms, check RTO 500 ms,
 * nomination delay 1 s, 100 remote candidates, 20 peer-reflexive). Misuse throws naming the
 * option and the value given.
 */
export function resolveAgentOptions(options: IceAgentOptions): ResolvedAgentOptions {
  if (typeof options?.controlling !== 'boolean') {
    throw new TypeError(`IceAgent: options.controlling must be a boolean, got ${String(options?.controlling)}`);
  }
  const clock = options.clock ?? realClock;
  const network = options.network ?? nodeNetwork;
  const policy = options.iceTransportPolicy ?? 'all';
  if (policy !== 'all' && policy !== 'relay') {
    throw new TypeError(`IceAgent: iceTransportPolicy must be 'all' or 'relay', got ${String(policy)}`);
  }
  const iceLite = options.iceLite ?? false;
  return {
    clock,
    network,
    policy,
    iceLite,
    // RFC 8445 §6.1.1: a lite agent is always controlled.
    controlling: iceLite ? false : options.controlling,
    timings: {
      taMs: positive(options.taMs ?? 50, 'taMs'),
      checkRtoMs: positive(options.checkRtoMs ?? 500, 'checkRtoMs'),
      nominationDelayMs: nonNegative(options.nominationDelayMs ?? 1000, 'nominationDelayMs'),
      maxRemoteCandidates: positive(options.maxRemoteCandidates ?? 100, 'maxRemoteCandidates'),
      maxPeerReflexive: nonNegative(options.maxPeerReflexive ?? 20, 'maxPeerReflexive'),
      software: options.software,
    },
  };
}

function positive(v: number, name: string): number {
  if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new RangeError(`IceAgent: ${name} must be a positive number, got ${String(v)}`);
  return v;
}

function nonNegative(v: number, name: string): number {
  if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw new RangeError(`IceAgent: ${name} must be a non-negative number, got ${String(v)}`);
  return v;
}
