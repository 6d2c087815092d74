import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { webhookEpoch } from '../lib/webhook-signal';
import { deliverDue } from '../services/webhooks';

/**
 * Sends webhooks at once: when a request enqueued messages (a stage change
 * or confirmation from /v1/collect, /v1/leads, the opt-in and withdraw
 * routes, a download, …), a delivery run of the fresh messages starts right
 * after the answer, through waitUntil, so the hand-off does not wait for the
 * cron. Requests that enqueue nothing pay one integer comparison.
 * What this run cannot deliver (receiver down, isolate gone) stays in the
 * outbox for the cron. See edge/lib/webhook-signal.ts.
 */
export function webhookKick(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const before = webhookEpoch();
    await next();
    if (webhookEpoch() === before) return;
    let ctx: { waitUntil(promise: Promise<unknown>): void };
    try {
      ctx = c.executionCtx;
    } catch {
      return; // no execution context (not a Worker request): the cron delivers
    }
    ctx.waitUntil(deliverDue(c.env.DB, { via: 'immediate', fresh: true, budgetMs: 15_000 }).catch((err) => console.error('webhook delivery', err)));
  };
}
