// @ts-check
/** The scoring model (API key) and running its rescoring jobs now (admin token). docs/scoring.md has the model. */
import { readFileSync, writeFileSync } from 'node:fs';
import { AUTH_ADMIN, AUTH_KEY, enc } from '../command.mjs';
import { UsageError } from '../errors.mjs';
import { raw } from '../text.mjs';

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
      let model;
      try {
        model = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        throw new UsageError(`Cannot read ${file} as JSON: ${/** @type {Error} */ (err).message}`);
      }
      const res = await keyed()('PUT', '/v1/scoring-model', model);
      out(res, () => `Saved scoring model version ${res.version}; rescoring of all leads started.`);
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
