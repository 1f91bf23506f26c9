/**
 * `npm start`: the SFU on 127.0.0.1:8090 (override with --port N / --host A,
 * or SFU_PORT / SFU_HOST). Prints the page URL; open it in two browser tabs.
 */
import { startSfu } from './server.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const host = arg('host') ?? process.env['SFU_HOST'] ?? '127.0.0.1';
const portText = arg('port') ?? process.env['SFU_PORT'] ?? '8090';
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be an integer 0..65535, got ${JSON.stringify(portText)}`);
  process.exit(2);
}
const layer = arg('initial-layer') ?? 'first';
if (layer !== 'first' && layer !== 'last') {
  console.error(`--initial-layer must be "first" or "last", got ${JSON.stringify(layer)}`);
  process.exit(2);
}

const sfu = await startSfu({ host, port, interfaceAddresses: [host], initialLayer: layer });
console.log(`SFU listening: ${sfu.url}  (rooms: ${sfu.url}?room=NAME, state: ${sfu.url}stats)`);
const stop = () => { void sfu.close().then(() => process.exit(0)); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
