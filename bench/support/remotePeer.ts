/**
 * The remote peer of the two-process throughput benchmark, run as a child process:
 *
 *   node --conditions=rivulet-source --import tsx bench/support/remotePeer.ts <stack>
 *
 * Line-delimited JSON on stdin/stdout (stdout carries nothing else):
 *   parent → {"offer": sdp}            child → {"answer": sdp}
 *   parent → {"expect": bytes}         child → {"ready": true}, later {"done": ms, "cpuMs": n} once
 *                                      that many bytes arrived (cpuMs: this process's user+system CPU since 'expect')
 *   parent → {"quit": true}            child exits
 * The child answers, receives the channel, and counts bytes; errors go to stderr and exit 1.
 */
import { createInterface } from 'node:readline';
import { makePeer, STACKS, type BenchChannel, type StackName } from './stacks.js';

const stack = process.argv[2] as StackName;
if (!STACKS.includes(stack)) {
  process.stderr.write(`remotePeer: unknown stack '${String(stack)}', expected one of ${STACKS.join(', ')}\n`);
  process.exit(2);
}
const reply = (o: object): void => { process.stdout.write(`${JSON.stringify(o)}\n`); };
const peer = await makePeer(stack);
let channel: BenchChannel | undefined;
let received = 0;
let target = Infinity;
let start = 0;
let cpu0 = process.cpuUsage();

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const msg = JSON.parse(line) as { offer?: string; expect?: number; quit?: boolean };
  void (async () => {
    if (msg.offer !== undefined) {
      reply({ answer: await peer.answer(msg.offer) });
      channel = await peer.channel();
      channel.onMessage((n) => {
        if (received === 0) start = performance.now();
        received += n;
        if (received >= target) {
          const cpu = process.cpuUsage(cpu0);
          reply({ done: performance.now() - start, bytes: received, cpuMs: (cpu.user + cpu.system) / 1000 });
          received = 0;
          target = Infinity;
        }
      });
    } else if (msg.expect !== undefined) {
      target = msg.expect;
      received = 0;
      cpu0 = process.cpuUsage();
      reply({ ready: true });
    } else if (msg.quit) {
      peer.close();
      process.exit(0);
    }
  })().catch((err: unknown) => {
    process.stderr.write(`remotePeer(${stack}): ${String(err)}\n`);
    process.exit(1);
  });
});
// Never outlive the parent.
setTimeout(() => { process.stderr.write('remotePeer: 10 min limit\n'); process.exit(1); }, 600_000).unref();
