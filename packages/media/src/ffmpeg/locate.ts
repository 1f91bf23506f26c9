import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Where ffmpeg comes from, in order: RIVULET_FFMPEG, the system's ffmpeg on
 * PATH, then the binary shipped inside the optional npm package
 * `@ffmpeg-installer/ffmpeg` (it ships the binary in the package and
 * downloads nothing at install time).
 */
export function findFfmpeg(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env['RIVULET_FFMPEG'];
  if (explicit) return isExecutable(explicit) ? explicit : undefined;
  for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'ffmpeg');
    if (isExecutable(candidate)) return candidate;
  }
  try {
    const require = createRequire(import.meta.url);
    const installer = require('@ffmpeg-installer/ffmpeg') as { path?: string };
    if (installer.path && isExecutable(installer.path)) return installer.path;
  } catch {
    // optional dependency not installed
  }
  return undefined;
}

/** Like findFfmpeg, but throws an error that says how to get ffmpeg. */
export function requireFfmpeg(env: NodeJS.ProcessEnv = process.env): string {
  const found = findFfmpeg(env);
  if (!found) {
    throw new Error(
      'ffmpeg not found: install it (Debian/Ubuntu: `apt-get install ffmpeg`), or `npm install @ffmpeg-installer/ffmpeg`, ' +
        'or point RIVULET_FFMPEG at an ffmpeg binary',
    );
  }
  return found;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
