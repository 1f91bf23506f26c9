import type { AssociationState } from './associationTypes.js';

/** The states with an association to talk to (RFC 9260 §4): DATA, SACK, RE-CONFIG and FORWARD TSN are valid in them. */
export const CONNECTED = new Set<AssociationState>(['established', 'shutdown-pending', 'shutdown-sent', 'shutdown-received', 'shutdown-ack-sent']);
