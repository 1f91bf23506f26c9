import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The runnable examples (examples/<name>) as child processes, started the way `npm start` runs
 * them: Node with the rivulet-source condition and tsx, from the repository root, so the tests
 * exercise the same entry point and command line a user does.
 */

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Starts `entry` (a path from the repository root) with `args`; stdout and stderr are pipes. */
export function spawnExample(entry: string, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['--conditions=rivulet-source', '--import', 'tsx', entry, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs `entry` to its exit (SIGKILL after `maxMs`); resolves with the exit code and stdout + stderr as they came. */
export function runExample(entry: string, args: readonly string[], maxMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawnExample(entry, args);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), maxMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** The camera gateway's main job (examples/camera-gateway) with `args`, e.g. ['--self-test', '--codec', 'VP8']. */
export function runCameraGateway(args: readonly string[], maxMs: number): Promise<{ code: number | null; out: string }> {
  return runExample('examples/camera-gateway/src/main.ts', args, maxMs);
}
