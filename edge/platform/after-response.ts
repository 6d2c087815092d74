import type { Env } from './env';

/** Work a request caused that its answer need not wait for. */
export type AfterResponseTask = (env: Env) => Promise<unknown>;

/** What of a Hono context this needs (any route's context, keyed or not). */
interface RequestContext {
  readonly env: Env;
  /** Throws outside a Worker request. */
  readonly executionCtx: { waitUntil(promise: Promise<unknown>): void };
}

/**
 * Runs `task` alongside the answer (the Worker's waitUntil): the one place
 * routes hand off work that may outlive their response. Call it once the
 * writes the task depends on are done; it starts at once. Failures are only
 * logged, under `label`: the answer is already given, and whatever the task
 * leaves undone (an unsent webhook, a mail) the cron picks up. Without an
 * execution context (a handler run outside a Worker request) the task is
 * skipped for the same reason.
 */
export function afterResponse(c: RequestContext, label: string, task: AfterResponseTask): void {
  let ctx: { waitUntil(promise: Promise<unknown>): void };
  try {
    ctx = c.executionCtx;
  } catch {
    return;
  }
  ctx.waitUntil(Promise.resolve().then(() => task(c.env)).catch((err) => console.error(label, err)));
}
