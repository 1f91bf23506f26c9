/** A parsed `stun:`/`stuns:` (RFC 7064) or `turn:`/`turns:` (RFC 7065) URI. */
export interface IceServerUrl {
  scheme: 'stun' | 'stuns' | 'turn' | 'turns';
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
}

/** Parses an ICE server URL; throws TypeError naming the URL when it is malformed. */
export function parseIceServerUrl(url: string): IceServerUrl {
  const m = /^(stuns?|turns?):(\[[0-9a-fA-F:.]+\]|[^:?\s]+)(?::(\d+))?(?:\?transport=(udp|tcp))?$/i.exec(url.trim());
  if (!m) throw new TypeError(`not a stun:/turn: URL: ${JSON.stringify(url)}`);
  const scheme = m[1]!.toLowerCase() as IceServerUrl['scheme'];
  if ((scheme === 'stun' || scheme === 'stuns') && m[4]) throw new TypeError(`a ${scheme}: URL takes no ?transport: ${JSON.stringify(url)}`);
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  const secure = scheme === 'stuns' || scheme === 'turns';
  const port = m[3] ? Number(m[3]) : secure ? 5349 : 3478;
  if (port < 1 || port > 65535) throw new TypeError(`port out of range in ${JSON.stringify(url)}`);
  const transport = (m[4]?.toLowerCase() as 'udp' | 'tcp' | undefined) ?? (secure ? 'tcp' : 'udp');
  return { scheme, host, port, transport };
}
