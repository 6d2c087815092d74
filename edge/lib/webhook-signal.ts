/**
 * "A webhook message may have been enqueued": a counter per isolate, bumped
 * whenever statements that enqueue messages are built (edge/db/webhooks.ts).
 *
 * The request middleware (edge/http/webhook-kick.ts) reads it before and
 * after a request: when it moved, the request starts a delivery run through
 * waitUntil after its answer. The request that enqueued a message always sees
 * its own bump and kicks only after its batch was written, so a message is
 * never looked for before it exists; a concurrent request in the same isolate
 * may kick as well, which costs one query and sends nothing twice (claims are
 * atomic). Paths without a request (cron) deliver in the cron itself.
 */
let epoch = 0;

export function noteWebhooksEnqueued(): void {
  epoch++;
}

export function webhookEpoch(): number {
  return epoch;
}
