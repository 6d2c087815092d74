import type { D1Migration } from 'cloudflare:test';
import type { Env as WorkerEnv } from '../../edge/platform/env';

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof import('../../edge/index');
    }
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
