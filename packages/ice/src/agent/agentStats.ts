import type { IceAgent } from './agent.js';

/** IceAgent.getStats(): the counters and, per pair, its state, priority, RTT and request counts. */
export interface IceAgentStats {
  counters: Record<string, number>;
  pairs: Array<Record<string, unknown>>;
  selectedPair: string | undefined;
}

/** A JSON-able snapshot for debugging and tests (webrtc-stats objects are built by @rivulet/webrtc). */
export function agentStats(agent: IceAgent): IceAgentStats {
  return {
    counters: agent.counters.toJSON(),
    selectedPair: agent.selectedPair?.toString(),
    pairs: agent.checklist.all.map((p) => ({
      pair: p.toString(),
      state: p.state,
      nominated: p.nominated,
      priority: p.priority.toString(),
      rttMs: p.rttMs,
      requestsSent: p.requestsSent,
      requestsReceived: p.requestsReceived,
      responsesReceived: p.responsesReceived,
    })),
  };
}
