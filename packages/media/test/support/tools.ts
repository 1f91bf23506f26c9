import { findFfmpeg } from '@rivulet/media';

/** ffmpeg or skip (with what to install); under CI=true a missing ffmpeg fails. */
export function ffmpegOrSkip(ctx: Mocha.Context): string {
  const found = findFfmpeg();
  if (found) return found;
  const message = 'ffmpeg not found: install it with `apt-get install ffmpeg`';
  if (process.env['CI'] === 'true') throw new Error(message);
  console.warn(`      skipped: ${message}`);
  ctx.skip();
}
