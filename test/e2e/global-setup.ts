import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStack } from '../../scripts/stack.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: { url: string; port: number; adminToken: string; apiKey: string; persistTo: string };
  }
}

/**
 * Starts the real local stack once for all e2e tests: the same build,
 * migrations, wrangler dev and demo seed as `npm run dev`, on a free port
 * with its own throw-away D1 state.
 */
export default async function setup(project: TestProject) {
  const persistTo = mkdtempSync(join(tmpdir(), 'lodestone-e2e-'));
  // `npm test` builds the bundles right before the tests and says so; a direct vitest run builds them here.
  const stack = await startStack({ persistTo, adminToken: `adm_e2e_${Date.now()}`, prebuilt: process.env.LODESTONE_PREBUILT === '1' });
  project.provide('stack', {
    url: stack.url,
    port: stack.port,
    adminToken: stack.adminToken,
    apiKey: stack.apiKey,
    persistTo,
  });
  return async () => {
    await stack.stop();
    rmSync(persistTo, { recursive: true, force: true });
  };
}
