import { existsSync } from 'node:fs';
import { findFfmpeg } from '@rivulet/media';

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

/**
 * ffmpeg, for tests that make or decode real media: the path findFfmpeg() resolves (the
 * system's, RIVULET_FFMPEG, or @ffmpeg-installer's). Missing: skipped with what to install, or
 * failed under CI=true (requireTool).
 */
export function requireFfmpeg(ctx: Mocha.Context): string {
  const found = findFfmpeg();
  requireTool(ctx, found ?? process.env['RIVULET_FFMPEG'] ?? 'ffmpeg (on PATH)', 'ffmpeg');
  return found!;
}
