// @ts-check
/** The scoring model (API key) and running its rescoring jobs now (admin token). docs/scoring.md has the model. */
import { readFileSync, writeFileSync } from 'node:fs';
import { AUTH_ADMIN, AUTH_KEY, enc, whenComputed } from '../command.mjs';
import { UsageError } from '../errors.mjs';
import { auc, raw, table } from '../text.mjs';

/** A model file as JSON, or a usage error naming the file. @param {string} file */
function readModel(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`Cannot read ${file} as JSON: ${/** @type {Error} */ (err).message}`);
  }
}

const points = (/** @type {number | null} */ p) => (p === null ? '–' : String(p));

/** The suggestion as text: how it ranks the newest outcomes, what it learned from, what it changes. @param {any} s */
const suggestionText = (s) => [
  `Suggested scoring model (current model version ${s.currentVersion}): ${s.model.name ?? ''}`,
  s.verdict === 'keep'
    ? 'Verdict: keep the current model (the suggestion does not rank the newest outcomes better, or nothing was learned).'
    : 'Verdict: change (the suggestion ranks the newest outcomes better than the current model).',
  `hold-out (the newest ${s.holdout.outcomes} outcomes, ${s.holdout.won} won, hand-offs ${s.holdout.from} → ${s.holdout.to}):`,
  `  AUC current ${auc(s.holdout.current)}`,
  `  AUC suggested ${auc(s.holdout.suggested)}`,
  `training: ${s.training.outcomes} outcomes, ${s.training.won} won, hand-offs ${s.training.from} → ${s.training.to}; ${s.training.candidates} candidate feature(s), λ = ${s.training.lambda}`,
  `scale: ${s.scale.meaning}`,
  '',
  'Changes',
  s.changes.length
    ? table([['ACTION', 'RULE', 'GROUP', 'POINTS', 'WHY'], ...s.changes.map((/** @type {any} */ c) => [c.action, c.id, c.group, `${points(c.before)} → ${points(c.after)}`, c.why])])
    : '  none: the model has no rules and the outcomes taught none',
  '',
  'Thresholds',
  ...s.thresholds.map((/** @type {string} */ t) => `  ${t}`),
];

/** One side of a mover: score, stage, temperature. @param {{ score: number, stage: string, temperature: string }} x */
const side = (x) => `${x.score} ${x.stage} ${x.temperature}`;

/** @param {{ changed: number, changes: { from: string, to: string, leads: number }[] }} m @param {string} what */
const matrix = (m, what) => [`${what}: ${m.changed} lead(s) change`, ...m.changes.map((c) => `  ${c.from} → ${c.to}: ${c.leads}`)];

/** @param {any[]} movers @param {string} title */
const moverTable = (movers, title) => [title, movers.length
  ? table([['LEAD', 'BEFORE', 'AFTER', 'WHY'], ...movers.map((m) => [m.lead, side(m.before), side(m.after), m.why.join('; ')])])
  : '  none'];

/** The preview as text: what the draft would change, lead by lead where it matters. @param {any} p */
const previewText = (p) => [
  `Preview of the draft against model version ${p.currentVersion} (nothing was saved)`,
  `leads scanned: ${p.leads}`,
  ...matrix(p.stages, 'stages'),
  ...matrix(p.temperatures, 'temperatures'),
  `outcomes: ${p.outcomes.leads} lead(s) with a sales outcome, ${p.outcomes.won} won (scored as at their hand-off)`,
  `  AUC current ${auc(p.outcomes.current)}`,
  `  AUC draft ${auc(p.outcomes.draft)}`,
  ...(p.outcomes.complete === false ? ['  (the server is still computing the outcome facts: these cover only part of the outcomes; run the preview again later)'] : []),
  '',
  ...moverTable(p.movers.up, 'Moved up most (by rank; score stage temperature)'),
  '',
  ...moverTable(p.movers.down, 'Moved down most'),
];

/** @type {import('../command.mjs').Command[]} */
export const commands = [
  {
    name: 'model get',
    options: ['out'],
    help: `model get [--out FILE]\n  The site's scoring model (JSON).\n${AUTH_KEY}`,
    run: async ({ keyed, values, print }) => {
      const res = await keyed()('GET', '/v1/scoring-model');
      const text = JSON.stringify(raw(res).model, null, 2);
      if (values.out) {
        writeFileSync(values.out, `${text}\n`);
        print(`Wrote model version ${res.version}${res.builtIn ? ' (built-in default)' : ''} to ${values.out}.`);
      } else print(values.json ? JSON.stringify(raw(res), null, 2) : text);
    },
  },
  {
    name: 'model set',
    args: ['<file>'],
    help: `model set FILE\n  Validate and save a new model version; rescoring starts.\n${AUTH_KEY}`,
    run: async ({ keyed, out, args: [file = ''] }) => {
      const model = readModel(file);
      const res = await keyed()('PUT', '/v1/scoring-model', model);
      out(res, () => `Saved scoring model version ${res.version}; rescoring of all leads started.`);
    },
  },
  {
    name: 'model suggest',
    options: ['out'],
    help: `model suggest [--out FILE] [--progress]\n  A model learned from the sales outcomes (won or not won), checked on the newest quarter of them:\n`
      + `  hold-out AUC of the current and the suggested model, each rule change and why, the new thresholds.\n`
      + `  Nothing is applied. --out FILE writes the suggested model; preview it with model preview FILE,\n`
      + `  apply it with model set FILE. Waits while the server still computes the outcome facts;\n  exit 1 with the counts when there are too few outcomes.\n${AUTH_KEY}`,
    run: async (ctx) => {
      const { values, out, io } = ctx;
      const res = await whenComputed(ctx, 'POST', '/v1/scoring-model/suggest', {});
      if (values.out) writeFileSync(values.out, `${JSON.stringify(raw(res).model, null, 2)}\n`);
      const wrote = values.out ? `Wrote the suggested model to ${values.out}.` : '';
      const next = values.out
        ? `Nothing was applied. Preview it with lodestone model preview ${values.out}, apply it with lodestone model set ${values.out}.`
        : 'Nothing was applied. Write it with --out FILE, then apply it with lodestone model set FILE.';
      // With --json stdout is the API's answer only; the note about the file goes to stderr.
      if (values.json && wrote) io.err(`lodestone: ${wrote}`);
      out(res, () => [...suggestionText(res), '', ...(wrote ? [wrote] : []), next].join('\n'));
    },
  },
  {
    name: 'model preview',
    args: ['<file>'],
    help: `model preview FILE\n  What a draft model would change, before it is saved: every lead scored with the current model and\n`
      + `  the draft; stage and temperature changes, the AUC on the sales outcomes, the leads that move most and why.\n`
      + `  Nothing is saved; apply the draft with model set FILE.\n${AUTH_KEY}`,
    run: async ({ keyed, out, args: [file = ''] }) => {
      const res = await keyed()('POST', '/v1/scoring-model/preview', readModel(file));
      out(res, () => [...previewText(res), '', `Nothing was saved. Apply the draft with lodestone model set ${file}.`].join('\n'));
    },
  },
  {
    // Passes until no job is open (or a pass makes no headway), with progress on stderr.
    name: 'rescore',
    options: ['budget-ms'],
    help: `rescore [--budget-ms N] [--progress]\n  Run open rescoring jobs now, pass after pass until none is open.\n  --progress  report each pass on stderr (default: only when stderr is a terminal)\n${AUTH_ADMIN}`,
    run: async ({ api, out, values, io, progress }) => {
      let processed = 0;
      let res;
      for (let pass = 1; ; pass++) {
        res = await api('POST', `/admin/rescore?budget_ms=${enc(values['budget-ms'] ?? '20000')}`);
        processed += res.processed;
        if (progress) io.err(`lodestone: pass ${pass}: ${processed} lead(s) rescored, ${res.open.length} job(s) open`);
        if (!res.open.length || !res.processed) break;
      }
      const total = processed;
      out(res, () => `Rescored ${total} lead(s); ${res.open.length ? `${res.open.length} job(s) still open (run again or wait for the cron)` : 'no job open'}.`);
    },
  },
];
