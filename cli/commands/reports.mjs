// @ts-check
/** Reports of the marketing API (API key). */
import { AUTH_KEY } from '../command.mjs';
import { table } from '../text.mjs';

/** @type {import('../command.mjs').Command[]} */
export const commands = [
  {
    name: 'funnel',
    options: ['from', 'to'],
    help: `funnel [--from ISO] [--to ISO]\n  Visitors → pricing visitors → form views → leads → confirmed → MQL → SQL,\n  with the conversion between steps. Default: the last 30 days.\n${AUTH_KEY}`,
    run: async ({ keyed, out, values }) => {
      const q = new URLSearchParams();
      if (values.from) q.set('from', values.from);
      if (values.to) q.set('to', values.to);
      const res = await keyed()('GET', `/v1/reports/funnel?${q}`);
      const pct = (/** @type {number | null} */ x) => (x === null ? '' : `${(x * 100).toFixed(1)}%`);
      out(res, () => `Funnel ${res.from} → ${res.to}\n${table([['STEP', 'COUNT', 'CONVERSION', 'LOST'],
        ...res.steps.map((/** @type {any} */ st) => [st.step, st.count, pct(st.conversion), st.lost ?? ''])])}\n`
        + `anonymous pageviews (no visitor id): ${res.anonymousPageviews}`);
    },
  },
];
