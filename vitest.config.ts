import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const migrations = await readD1Migrations(fileURLToPath(new URL('./edge/migrations', import.meta.url)));

/**
 * Three projects:
 * - unit: pure logic in Node (no runtime needed);
 * - edge: the Worker inside workerd with a real local D1 (migrations applied);
 * - e2e: the real local stack (`wrangler dev`) driven from Node: CLI, and
 *   headless Chromium through playwright-core.
 */
export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    // Two files at a time for unit and edge even on a 2-core machine (the default there is one):
    // edge files wait on workerd and D1 more than they compute. e2e stays one file at a time.
    maxWorkers: 2,
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              // Mail links need PUBLIC_URL; plain http is allowed in development only.
              bindings: { ADMIN_TOKEN: 'test-admin-token', PUBLIC_URL: 'http://edge.test', LODESTONE_ENV: 'development', TEST_MIGRATIONS: migrations },
              // Small enough that a test can reach it.
              ratelimits: { RATE_LIMITER: { namespace_id: '1001', simple: { limit: 5, period: 60 } } },
            },
          }),
        ],
        test: { name: 'edge', include: ['test/edge/**/*.test.ts'], setupFiles: ['./test/edge/apply-migrations.ts'] },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['./test/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One stack, one browser at a time: 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
