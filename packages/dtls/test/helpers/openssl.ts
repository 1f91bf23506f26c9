import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeNetwork, type DatagramSocket } from '@rivulet/common';
import type { DtlsCertificate } from '../../src/index.js';

export const OPENSSL = '/usr/bin/openssl';

/**
 * Returns a reason to skip when openssl is missing; under CI=true a missing tool is a failure.
 */
export function opensslMissing(): string | undefined {
  const r = spawnSync(OPENSSL, ['version'], { encoding: 'utf8' });
  if (r.status === 0 && /OpenSSL 3/.test(r.stdout)) return undefined;
  const why = `OpenSSL 3 not found at ${OPENSSL}: install the Debian package 'openssl' (apt-get install openssl)`;
  if (process.env.CI === 'true') throw new Error(why);
  return why;
}

export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'rivulet-dtls-'));
  file(name: string, content?: string | Buffer): string {
    const p = join(this.path, name);
    if (content !== undefined) writeFileSync(p, content);
    return p;
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** An openssl-made self-signed certificate and key (PEM files). */
export function opensslCertificate(dir: TempDir, kind: 'ec' | 'rsa', name: string): { cert: string; key: string; pem: string } {
  const cert = dir.file(`${name}.pem`);
  const key = dir.file(`${name}.key`);
  const keyArgs = kind === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  const r = spawnSync(OPENSSL, ['req', '-x509', ...keyArgs, '-nodes', '-keyout', key, '-out', cert, '-subj', `/CN=${name}`, '-days', '2'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  return { cert, key, pem: readFileSync(cert, 'utf8') };
}

export function toPem(cert: DtlsCertificate): string {
  const b64 = cert.certificateDer.toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

export function keyToPem(cert: DtlsCertificate): string {
  return cert.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
}

/** A running openssl s_server / s_client with its combined output collected. */
export class OpensslProcess {
  output = '';
  exited = false;
  private readonly waiters: { test: () => boolean; resolve: () => void }[] = [];

  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    const onData = (d: Buffer): void => {
      this.output += d.toString('latin1');
      for (const w of this.waiters.slice()) {
        if (w.test()) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', () => {
      this.exited = true;
      onData(Buffer.alloc(0));
    });
  }

  static start(args: string[], env?: Record<string, string>): OpensslProcess {
    return new OpensslProcess(spawn(OPENSSL, args, { stdio: ['pipe', 'pipe', 'pipe'], env: env ? { ...process.env, ...env } : process.env }));
  }

  /** Resolves when the output matches `re`; rejects after `ms` with the output so far. */
  waitFor(re: RegExp, ms: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.findIndex((w) => w.resolve === done);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`timed out after ${ms} ms waiting for ${re} in openssl output:\n${this.output}`));
      }, ms);
      const done = (): void => {
        clearTimeout(timer);
        resolve(this.output.match(re)!);
      };
      const test = (): boolean => re.test(this.output);
      if (test()) return done();
      this.waiters.push({ test, resolve: done });
    });
  }

  write(line: string): void {
    if (!this.exited) this.proc.stdin.write(line);
  }

  kill(): void {
    if (!this.exited) this.proc.kill('SIGKILL');
  }

  /** 'Keying material: HEX' as printed by -keymatexport. */
  keyingMaterial(): string | undefined {
    return this.output.match(/Keying material: ([0-9A-Fa-f]+)/)?.[1]?.toLowerCase();
  }
}

export async function bindLoopback(): Promise<DatagramSocket> {
  return nodeNetwork.bindUdp({ address: '127.0.0.1', port: 0 });
}

/** Resolves when `cond()` holds; polls every 10 ms; rejects after `ms` with `what`. */
export async function until(cond: () => boolean, ms: number, what: () => string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An OPENSSL_CONF that turns extended master secret off (OpenSSL 3.0 SSL_CONF "Options"). */
export function noEmsConfig(dir: TempDir): string {
  return dir.file(
    'no-ems.cnf',
    [
      'openssl_conf = openssl_init',
      '[openssl_init]',
      'ssl_conf = ssl_sect',
      '[ssl_sect]',
      'system_default = system_default_sect',
      '[system_default_sect]',
      'Options = -ExtendedMasterSecret',
      '',
    ].join('\n'),
  );
}
