// @ts-check
/** Reports of the marketing API (API key). */
import { AUTH_KEY, whenComputed } from '../command.mjs';
import { UsageError } from '../errors.mjs';
import { auc, table } from '../text.mjs';

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

/** A 95 % interval of a share, as percentages. @param {[number, number] | undefined} interval */
const ci = (interval) => (interval ? `${pct(interval[0])}–${pct(interval[1])}` : '');

/** A share with its count and interval: 33.3% (40 of 120; 95% CI 25.5%–42.2%). @param {{ won: number, leads: number, winRate: number | null, ci: [number, number] }} r */
const rate = (r) => `${r.winRate === null ? '–' : pct(r.winRate)} (${r.won} of ${r.leads}; 95% CI ${ci(r.ci)})`;

/** A score as stored (engagement decays, so it may have a fraction): one decimal at most. */
const score = (/** @type {number} */ s) => String(Math.round(s * 10) / 10);
const times = (/** @type {number | null} */ x) => (x === null ? '–' : `${x.toFixed(2)}×`);
const pValue = (/** @type {number} */ p) => (p < 0.001 ? '<0.001' : p.toFixed(3));
const SEGMENTS_SHOWN = 5;

/** What a group of outcomes shares more often than the group it is compared with. @param {any[]} findings @param {string} group @param {string} compared */
function findingTable(findings, group, compared) {
  if (!findings.length) return '  no attribute value is more common among them';
  const share = (/** @type {{ count: number, leads: number }} */ g) => `${g.count} of ${g.leads}`;
  return table([['ATTRIBUTE=VALUE', group.toUpperCase(), compared.toUpperCase(), 'P', 'Q', ''],
    ...findings.map((f) => [`${f.attribute}=${f.value}`, share(f.group), share(f.compared), pValue(f.p), pValue(f.q), f.significant ? '*' : ''])]);
}

/** The scoring review as text: one section per question it answers. @param {any} r */
function reviewText(r) {
  const o = r.outcomes;
  const top = r.discrimination.topBand;
  const segments = Object.entries(r.segments ?? {}).flatMap(([by, rows]) => /** @type {any[]} */ (rows).slice(0, SEGMENTS_SHOWN).map((g) => [by, g.value, g.leads, g.won, pct(g.winRate), ci(g.ci)]));
  return [
    `Scoring review ${r.from} → ${r.to} (model version ${r.modelVersion}; a lead without a sale counts as not won after ${r.openDays} days)`,
    `outcomes: ${o.leads} (${o.won} won, ${o.notWon} not won), ${o.open} still open`,
    `win rate: ${rate(o)}`,
    `AUC: ${auc(r.discrimination.auc)}  (0.5 = no better than chance, 1 = every won lead scored above every lost one)`,
    `top band: win rate ${rate(top)}, lift ${times(top.lift)} the average${top.liftCi ? ` (95 %: ${times(top.liftCi[0])}–${times(top.liftCi[1])})` : ''}`,
    '',
    'Bands (tenths by score at hand-off)',
    table([['BAND', 'SCORE', 'LEADS', 'WON', 'WIN RATE', '95% CI', 'IMPLIED'],
      ...r.bands.map((/** @type {any} */ b) => [b.band, `${score(b.scoreFrom)}–${score(b.scoreTo)}`, b.leads, b.won, pct(b.winRate), ci(b.ci), pct(b.implied)])]),
    '',
    `High scorers (score ≥ ${score(r.highScorers.scoreFrom)}): win rate ${rate(r.highScorers)}`,
    'What the high scorers who did not buy share more often than those who bought:',
    findingTable(r.highScorers.notWonShare, 'not won', 'won'),
    '',
    `Low scorers (score < ${score(r.lowScorers.scoreBelow)}): win rate ${rate(r.lowScorers)}`,
    'What the low scorers who bought share more often than those who did not:',
    findingTable(r.lowScorers.wonShare, 'won', 'not won'),
    '* significant: q (false-discovery adjusted p) below 0.05',
    '',
    'Rules (did a lead that matched the rule at hand-off buy more often?)',
    r.rules.length
      ? table([['RULE', 'GROUP', 'POINTS', 'MATCHED', 'WIN RATE WITH', 'WITHOUT', 'LIFT', 'P'],
        ...r.rules.map((/** @type {any} */ x) => [x.id, x.group, x.points, x.matched, pct(x.with.winRate), pct(x.without.winRate), times(x.lift), pValue(x.p)])])
      : '  the model has no rules',
    '',
    `Segments (the ${SEGMENTS_SHOWN} largest of each)`,
    table([['BY', 'VALUE', 'LEADS', 'WON', 'WIN RATE', '95% CI'], ...segments]),
  ].join('\n');
}

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
  {
    name: 'review',
    options: ['from', 'to'],
    help: `review [--from ISO] [--to ISO] [--progress]\n  The scoring review: did the leads the model scored high at hand-off buy? Outcomes, AUC, bands with\n  their win rates, what high scorers who did not buy and low scorers who bought share, each rule's lift\n  and the largest segments, each with its count and 95 % interval. Default: hand-offs of the last 365 days.\n  While the server still computes the outcome facts it waits and asks again (--progress reports it).\n  Exit 1 with the counts when there are too few outcomes to judge.\n${AUTH_KEY}`,
    run: async (ctx) => {
      const q = new URLSearchParams();
      if (ctx.values.from) q.set('from', ctx.values.from);
      if (ctx.values.to) q.set('to', ctx.values.to);
      const res = await whenComputed(ctx, 'GET', `/v1/reports/scoring-review${q.size ? `?${q}` : ''}`);
      ctx.out(res, () => reviewText(res));
    },
  },
];
