import { createApp } from './app';
import type { Env } from './platform/env';
import { scheduled } from './scheduled';
import { reportConfigProblems } from './features/mail';

const app = createApp();

export default {
  fetch(req: Request, env: Env, ctx: ExecutionContext) {
    reportConfigProblems(env);
    return app.fetch(req, env, ctx);
  },
  // Cron Trigger: retries the mail outbox, scoring, webhooks, retention.
  scheduled(controller, env, ctx) {
    reportConfigProblems(env);
    return scheduled(controller, env, ctx);
  },
} satisfies ExportedHandler<Env>;
