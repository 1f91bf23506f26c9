export { VirtualNetwork, VirtualNat } from './network.js';
export type { VirtualNetworkOptions, HostOptions, NatBoxOptions, TappedPacket, PacketTap, NetworkCounter } from './network.js';
export { VirtualHost } from './host.js';
export type { TcpListener, TcpCounter } from './tcp.js';
export { Link, LinkDirection } from './link.js';
export type { LinkConditions, LinkSide, DropReason } from './link.js';
export type { NatBehavior, NatOptions, NatMapping } from './nat.js';
export { Prng } from './prng.js';
export { isAllowedVirtualAddress } from './addresses.js';
// Re-exported for convenience: tests usually want both.
export { FakeClock, RealClock } from '@rivulet/common';
export { tapNetwork } from './tapNetwork.js';
export type { NetworkTap } from './tapNetwork.js';
