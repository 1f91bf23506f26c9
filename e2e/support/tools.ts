import { existsSync } from 'node:fs';

/**
 * A real peer the test needs. Missing on a developer's laptop: the suite is
 * skipped with a message saying what to install. Under CI=true: it fails,
 * so a missing install step can never pass as green.
 */
export function requireTool(ctx: Mocha.Context, file: string, aptPackage: string): void {
  if (existsSync(file)) return;
  const message = `${file} not found: install it with \`apt-get install ${aptPackage}\``;
  if (process.env['CI'] === 'true') throw new Error(message);
  console.warn(`      skipped: ${message}`);
  ctx.skip();
}
