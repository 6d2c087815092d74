// @ts-check
/** Reports of the marketing API (API key). */
import { AUTH_KEY } from '../command.mjs';
import { UsageError } from '../errors.mjs';
import { table } from '../text.mjs';

const BY = ['source', 'magnet', 'country', 'industry', 'owner'];

const pct = (/** @type {number | null} */ x) => (x === null ? '' : `${(x * 100).toFixed(1)}%`);

/** A median duration in words: minutes, hours or days. @param {number | null} ms */
function span(ms) {
  if (ms === null) return '';
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 2 * 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

const money = (/** @type {Record<string, number>} */ r) => Object.entries(r ?? {}).map(([c, v]) => `${v} ${c}`).join(', ') || '–';

/** @param {any[]} steps */
const stepTable = (steps) => table([['STEP', 'COUNT', 'CONVERSION', 'LOST', 'MEDIAN TIME'],
  ...steps.map((st) => [st.step, st.count, pct(st.conversion), st.lost ?? '', span(st.medianMs ?? null)])]);

/** @type {import('../command.mjs').Command[]} */
export const commands = [
  {
    name: 'funnel',
    options: ['from', 'to', 'by'],
    help: `funnel [--from ISO] [--to ISO] [--by source|magnet|country|industry|owner]\n  Visitors → pricing visitors → form views → leads → confirmed → MQL → SQL → accepted → opportunity → won,\n  with conversion, drop-off, median time between steps and revenue. Default: the last 30 days.\n  --by  one funnel of the lead steps per first-touch source, magnet, country, industry or owner\n${AUTH_KEY}`,
    run: async ({ keyed, out, values }) => {
      if (values.by && !BY.includes(values.by)) throw new UsageError(`--by must be one of ${BY.join(', ')}`);
      const q = new URLSearchParams();
      if (values.from) q.set('from', values.from);
      if (values.to) q.set('to', values.to);
      if (values.by) q.set('by', values.by);
      const res = await keyed()('GET', `/v1/reports/funnel?${q}`);
      out(res, () => [`Funnel ${res.from} → ${res.to}`, stepTable(res.steps), `revenue won: ${money(res.revenue)}`,
        `anonymous pageviews (no visitor id): ${res.anonymousPageviews}`,
        ...(res.groups ?? []).flatMap((/** @type {any} */ g) => ['', `${res.by}: ${g.value}  (revenue won: ${money(g.revenue)})`, stepTable(g.steps)])].join('\n'));
    },
  },
];
