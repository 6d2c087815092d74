import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';

export const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'cli', 'lodestone.mjs');
const run = promisify(execFile);

/** Runs the CLI as a user would: a separate Node process against the running dev stack. */
export async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { url, adminToken } = inject('stack');
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, LODESTONE_URL: url, LODESTONE_ADMIN_TOKEN: adminToken, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
