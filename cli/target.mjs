// @ts-check
/** Which server the CLI talks to, and with which admin token. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_URL = 'http://localhost:8787';
const DEV_FILE = join('.wrangler', 'lodestone-dev.json');

/** @param {string} url */
export const isLocal = (url) => /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(url);

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, but belongs to someone else.
    return /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM';
  }
}

/**
 * The running dev server `npm run dev` announced, from the current directory
 * or the package root; ignored when its process is gone.
 * @param {string} cwd @returns {{ url: string, adminToken?: string, file: string } | null}
 */
export function devServer(cwd) {
  for (const dir of new Set([cwd, PACKAGE_ROOT])) {
    const file = join(dir, DEV_FILE);
    if (!existsSync(file)) continue;
    try {
      const info = JSON.parse(readFileSync(file, 'utf8'));
      if (typeof info?.url !== 'string' || !Number.isInteger(info.pid) || !alive(info.pid)) continue;
      return { url: info.url, adminToken: typeof info.adminToken === 'string' ? info.adminToken : undefined, file };
    } catch {
      continue;
    }
  }
  return null;
}

/**
 * --url, then LODESTONE_URL, then the running dev server, then the default.
 * @param {string | undefined} flag @param {NodeJS.ProcessEnv} env @param {string} cwd
 * @returns {{ url: string, source: string, dev: ReturnType<typeof devServer> }}
 */
export function resolveUrl(flag, env, cwd) {
  const trim = (/** @type {string} */ u) => u.replace(/\/+$/, '');
  if (flag) return { url: trim(flag), source: '--url', dev: null };
  if (env.LODESTONE_URL) return { url: trim(env.LODESTONE_URL), source: 'LODESTONE_URL', dev: null };
  const dev = devServer(cwd);
  if (dev) return { url: trim(dev.url), source: dev.file, dev };
  return { url: DEFAULT_URL, source: 'the default', dev: null };
}

/**
 * The admin token: flag, env, the dev server's file, or local dev's .dev.vars.
 * @param {string} url @param {string | undefined} flag @param {NodeJS.ProcessEnv} env @param {string} cwd
 * @param {{ adminToken?: string } | null} dev @returns {string | null}
 */
export function resolveToken(url, flag, env, cwd, dev) {
  if (flag) return flag;
  if (env.LODESTONE_ADMIN_TOKEN) return env.LODESTONE_ADMIN_TOKEN;
  if (dev?.adminToken) return dev.adminToken;
  if (!isLocal(url)) return null;
  for (const dir of new Set([cwd, PACKAGE_ROOT])) {
    const file = join(dir, '.dev.vars');
    if (!existsSync(file)) continue;
    const found = /^ADMIN_TOKEN\s*=\s*"?([^"\n]+)"?/m.exec(readFileSync(file, 'utf8'));
    if (found?.[1]) return found[1].trim();
  }
  return null;
}
