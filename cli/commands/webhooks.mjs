// @ts-check
/** Webhook endpoints to sales/CRM and their deliveries (API key). docs/webhooks.md has the payloads and signing. */
import { AUTH_KEY, enc } from '../command.mjs';
import { iso, table } from '../text.mjs';

/** @type {import('../command.mjs').Command[]} */
export const commands = [
  {
    name: 'webhooks add',
    args: ['<url>'],
    options: ['event', 'description'],
    help: `webhooks add <url> [--event E]… [--description D]\n  Add an endpoint; the signing secret is shown once.\n  events: lead.confirmed, lead.stage_changed, lead.withdrawn (default: all)\n${AUTH_KEY}`,
    run: async ({ keyed, out, args: [url], values }) => {
      const res = await keyed()('POST', '/v1/webhooks', { url, events: values.event, description: values.description });
      out(res, () => `Created endpoint ${res.endpoint.id} → ${res.endpoint.url} (${res.endpoint.events.join(', ')}).\nSigning secret (shown once, store it now):\n${res.secret}`);
    },
  },
  {
    name: 'webhooks list',
    help: `webhooks list\n  The site's endpoints.\n${AUTH_KEY}`,
    run: async ({ keyed, out }) => {
      const res = await keyed()('GET', '/v1/webhooks');
      out(res, () => table([['ID', 'URL', 'EVENTS', 'STATUS', 'CREATED'],
        ...res.endpoints.map((/** @type {any} */ e) => [e.id, e.url, e.events.join(','), e.enabled ? 'enabled' : 'disabled', iso(e.createdAt)])]));
    },
  },
  {
    name: 'webhooks remove',
    args: ['<endpoint-id>'],
    help: `webhooks remove <endpoint-id>\n  Delete an endpoint with its deliveries.\n${AUTH_KEY}`,
    run: async ({ keyed, out, args: [id = ''] }) => {
      const res = await keyed()('DELETE', `/v1/webhooks/${enc(id)}`);
      out(res, () => `Removed endpoint ${id} and its deliveries.`);
    },
  },
  {
    name: 'webhooks deliveries',
    options: ['dead', 'status', 'limit'],
    help: `webhooks deliveries [--dead] [--status S] [--limit N]\n  Newest deliveries; --dead: dead letters only.\n${AUTH_KEY}`,
    run: async ({ keyed, out, values }) => {
      const q = new URLSearchParams();
      const status = values.dead ? 'dead' : values.status;
      if (status) q.set('status', status);
      if (values.limit) q.set('limit', values.limit);
      const res = await keyed()('GET', `/v1/webhooks/deliveries?${q}`);
      out(res, () => table([['ID', 'TYPE', 'CHANGE', 'LEAD', 'STATUS', 'TRIES', 'LAST', 'NEXT', 'CREATED'],
        ...res.deliveries.map((/** @type {any} */ d) => [d.id, d.type, `${d.change.from}>${d.change.to}`, d.leadId, d.status, d.attempts,
          d.lastStatus ?? (d.lastError ? 'error' : ''), iso(d.nextAttemptAt), iso(d.createdAt)])]));
    },
  },
  {
    name: 'webhooks show',
    args: ['<delivery-id>'],
    help: `webhooks show <delivery-id>\n  One delivery with its attempt log.\n${AUTH_KEY}`,
    run: async ({ keyed, out, args: [id = ''] }) => {
      const res = await keyed()('GET', `/v1/webhooks/deliveries/${enc(id)}`);
      const d = res.delivery;
      out(res, () => [`${d.id}  ${d.type}  ${d.change.from} → ${d.change.to}  lead ${d.leadId}  endpoint ${d.endpointId}`,
        `status ${d.status}, ${d.attempts} attempt(s)${d.nextAttemptAt ? `, next ${iso(d.nextAttemptAt)}` : ''}${d.deliveredAt ? `, delivered ${iso(d.deliveredAt)}` : ''}`,
        'attempts:',
        ...res.attempts.map((/** @type {any} */ a) => `  #${a.attempt}  ${iso(a.at)}  ${String(a.via).padEnd(9)} ${String(a.statusCode ?? '---')}  ${String(a.durationMs).padStart(5)} ms  ${a.outcome}${a.error ? `  ${a.error}` : ''}`),
      ].join('\n'));
    },
  },
  {
    name: 'webhooks replay',
    args: ['<delivery-id>'],
    help: `webhooks replay <delivery-id>\n  Send a delivery again (same id and payload), now.\n${AUTH_KEY}`,
    run: async ({ keyed, out, args: [id = ''] }) => {
      const res = await keyed()('POST', `/v1/webhooks/deliveries/${enc(id)}/replay`);
      out(res, () => `Replaying ${id}: sent now, retried for up to 72 h if it fails (lodestone webhooks show ${id}).`);
    },
  },
];
