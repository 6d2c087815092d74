import { createApp } from './app';
import type { Env } from './env';
import { scheduled } from './scheduled';

const app = createApp();

export default {
  fetch: app.fetch,
  // Cron Trigger: retries the mail outbox (issue 4).
  scheduled,
} satisfies ExportedHandler<Env>;
