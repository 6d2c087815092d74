// @ts-check
/**
 * Nurture sequences (API key): the site's sequences as versioned documents, their numbers,
 * a step's mail as a lead would get it, and the site's frequency cap, send rate and time zone.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { AUTH_KEY, enc } from '../command.mjs';
import { UsageError } from '../errors.mjs';
import { resolveUrl } from '../target.mjs';
import { raw, table, visible } from '../text.mjs';

/**
 * The options as typed, with those only these commands take.
 * @typedef {import('../command.mjs').Values & { lead?: string, lang?: string, html?: boolean, outbox?: boolean,
 *   'min-gap-hours'?: string, 'sends-per-minute'?: string, 'time-zone'?: string }} SequenceValues
 */

/**
 * A command of this group: a Command whose options may also name the flags above.
 * @typedef {Omit<import('../command.mjs').Command, 'options' | 'run'> & { options?: (keyof SequenceValues)[],
 *   run: (ctx: Omit<import('../command.mjs').Ctx, 'values'> & { values: SequenceValues }) => Promise<void | number> }} SequenceCommand
 */

/** A sequence file as JSON, or a usage error naming the file. @param {string} file */
function readDocument(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`Cannot read ${file} as JSON: ${/** @type {Error} */ (err).message}`);
  }
}

/** An ISO time from the API, to the second. @param {unknown} at */
const when = (at) => (typeof at === 'string' ? at.replace(/\.\d{3}Z$/, 'Z') : '');

/** A trigger in words: confirmed, download whitepaper, stage recycled, inactive 30 days, cooled off to cold. @param {any} t */
export function triggerText(t) {
  if (!t || typeof t !== 'object') return '';
  switch (t.on) {
    case 'confirmed': return 'confirmed';
    case 'download': return `download ${t.magnet}`;
    case 'stage': return `stage ${t.stage}`;
    case 'inactive': return `inactive ${t.days} day${t.days === 1 ? '' : 's'}`;
    case 'cold': return 'cooled off to cold';
    default: return [t.on, ...Object.entries(t).filter(([k]) => k !== 'on').map(([k, v]) => `${k}=${v}`)].join(' ');
  }
}

/** @param {number} part @param {number} whole */
const percent = (part, whole) => `${((part / whole) * 100).toFixed(1)}%`;

/** A send step's click rate, or why there is none. @param {{ sent: number, clicked: number }} s */
const clickRate = (s) => (s.sent ? `${percent(s.clicked, s.sent)} (${s.clicked} of ${s.sent} sent)` : '– (nothing sent yet)');

/** The numbers of a sequence as text: the summary, then one row per step. @param {any} s */
function statsText(s) {
  const reasons = Object.entries(s.exited ?? {}).sort(([a, x], [b, y]) => Number(y) - Number(x) || a.localeCompare(b));
  const exited = reasons.reduce((n, [, x]) => n + Number(x), 0);
  const sends = s.steps.filter((/** @type {any} */ st) => st.type === 'send');
  return [
    `Sequence ${s.id} (version ${s.version}, ${s.status})`,
    `entered: ${s.entered} time(s) by ${s.leads} lead(s)`,
    `active: ${s.active}`,
    `completed: ${s.completed}`,
    `exited: ${exited}${reasons.length ? ` (${reasons.map(([r, n]) => `${r} ${n}`).join(', ')})` : ''}`,
    `reached after entering: MQL ${s.reached.mql}, SQL ${s.reached.sql}`,
    'click rate per send step:',
    ...(sends.length ? sends.map((/** @type {any} */ st) => `  ${st.id}  ${clickRate(st)}`) : ['  none: the sequence has no send step']),
    '',
    table([['STEP', 'TYPE', 'SENT', 'CLICKED', 'PENDING', 'FAILED', 'UNSUBSCRIBED', 'EXITED', 'WAITING'],
      ...s.steps.map((/** @type {any} */ st) => [st.id, st.type ?? '(removed)', st.sent, st.clicked, st.pending, st.failed, st.unsubscribed, st.exited, st.waiting])]),
  ].join('\n');
}

/** Server text with its line breaks kept and every other control made visible. @param {unknown} text */
const lines = (text) => String(text ?? '').split(/\r?\n/).map(visible).join('\n');

/** The settings flags, their fields, and how each value is read. */
const SETTINGS = /** @type {const} */ ([['min-gap-hours', 'minGapHours', 'whole'], ['sends-per-minute', 'sendsPerMinute', 'whole'], ['time-zone', 'timeZone', 'text']]);

/** The human view of the nurture settings. @param {any} s */
const settingsText = (s) => [
  'nurture settings:',
  `  at most one nurture mail per lead every   ${s.minGapHours} hours (default ${s.defaults.minGapHours})`,
  `  nurture mails per minute (whole site)     ${s.sendsPerMinute} (default ${s.defaults.sendsPerMinute})`,
  `  time zone of send windows                 ${s.timeZone} (default ${s.defaults.timeZone})`,
  s.updatedAt ? `  updated ${when(s.updatedAt)}` : '  never changed: all defaults',
].join('\n');

/** @type {SequenceCommand[]} */
export const commands = [
  {
    name: 'sequences list',
    help: `sequences list\n  The site's nurture sequences: status, version, trigger, number of steps, when saved.\n`
      + `  Example: lodestone sequences list\n${AUTH_KEY}`,
    run: async ({ keyed, out }) => {
      const res = await keyed()('GET', '/v1/sequences');
      out(res, () => (res.sequences.length
        ? table([['ID', 'NAME', 'STATUS', 'VERSION', 'TRIGGER', 'STEPS', 'SAVED'],
          ...res.sequences.map((/** @type {any} */ s) => [s.id, s.name, s.status, s.version, triggerText(s.trigger), s.steps, when(s.savedAt)])])
        : 'No sequences yet. Save one with lodestone sequences set <id> FILE.'));
    },
  },
  {
    name: 'sequences get',
    args: ['<id>'],
    options: ['out'],
    help: `sequences get <id> [--out FILE]\n  The sequence document (JSON) of its current version; --out FILE writes it to FILE.\n`
      + `  Edit it and save it with sequences set.\n  Example: lodestone sequences get welcome --out welcome.json\n${AUTH_KEY}`,
    run: async ({ keyed, values, print, args: [id = ''] }) => {
      const res = await keyed()('GET', `/v1/sequences/${enc(id)}`);
      const text = JSON.stringify(raw(res).sequence, null, 2);
      if (values.out) {
        writeFileSync(values.out, `${text}\n`);
        print(`Wrote sequence ${res.id} version ${res.version} to ${values.out}.`);
      } else print(values.json ? JSON.stringify(raw(res), null, 2) : text);
    },
  },
  {
    name: 'sequences set',
    args: ['<id>', '<file>'],
    help: `sequences set <id> FILE\n  Validate and save the document in FILE as the sequence's next version (a new sequence starts at 1).\n`
      + `  An invalid document changes nothing; each offending field is named.\n`
      + `  Example: lodestone sequences set welcome welcome.json\n${AUTH_KEY}`,
    run: async ({ keyed, out, args: [id = '', file = ''] }) => {
      const doc = readDocument(file);
      const res = await keyed()('PUT', `/v1/sequences/${enc(id)}`, doc);
      out(res, () => `Saved sequence ${res.id}, version ${res.version}.`);
    },
  },
  {
    name: 'sequences stats',
    args: ['<id>'],
    help: `sequences stats <id>\n  How the sequence does: leads entered, active, completed and exited (by reason), how many reached\n`
      + `  MQL and SQL after entering, the click rate of each send step, and each step's numbers.\n`
      + `  Example: lodestone sequences stats welcome\n${AUTH_KEY}`,
    run: async ({ keyed, out, args: [id = ''] }) => {
      const res = await keyed()('GET', `/v1/sequences/${enc(id)}/stats`);
      out(res, () => statsText(res));
    },
  },
  {
    name: 'sequences preview',
    args: ['<id>', '<step>'],
    options: ['lead', 'lang', 'html', 'outbox'],
    help: `sequences preview <id> <step> [--lead LEAD] [--lang en|de] [--html] [--outbox]\n`
      + `  The mail of a send step as a lead would get it (without --lead: with empty profile values): its subject\n`
      + `  and text, or its HTML with --html. Nothing is sent or recorded. --lang defaults to the lead's language.\n`
      + `  --outbox also puts it in the dev outbox (only with npm run dev) to be looked at in a browser.\n`
      + `  Example: lodestone sequences preview welcome first-mail --lead ld_0123456789abcdef --lang de\n${AUTH_KEY}`,
    run: async ({ keyed, out, values, io, args: [id = '', step = ''] }) => {
      if (values.lang !== undefined && values.lang !== 'en' && values.lang !== 'de') throw new UsageError(`--lang takes en or de, not "${visible(values.lang)}".`);
      const q = new URLSearchParams();
      if (values.lead !== undefined) q.set('lead', values.lead);
      if (values.lang !== undefined) q.set('lang', values.lang);
      if (values.outbox) q.set('outbox', '1');
      const query = q.toString();
      const res = await keyed()('GET', `/v1/sequences/${enc(id)}/steps/${enc(step)}/preview${query ? `?${query}` : ''}`);
      const body = values.html ? raw(res).html : raw(res).text;
      const outbox = values.outbox ? ['', `Also in the dev outbox: ${visible(resolveUrl(values.url, io.env, io.cwd).url)}/dev/outbox`] : [];
      out(res, () => [`Subject: ${res.subject}`, '', lines(body), ...outbox].join('\n'));
    },
  },
  {
    name: 'sequences settings',
    options: SETTINGS.map(([flag]) => flag),
    help: `sequences settings [--min-gap-hours N] [--sends-per-minute N] [--time-zone ZONE]\n`
      + `  The site's nurture settings: at most one nurture mail per lead within N hours (across all sequences),\n`
      + `  the nurture mails per minute for the whole site, and the time zone send windows are read in.\n`
      + `  With options: the current settings with those changed are saved; "default" resets one.\n`
      + `  Example: lodestone sequences settings --min-gap-hours 48 --time-zone Europe/Vienna\n${AUTH_KEY}`,
    run: async ({ keyed, out, values }) => {
      /** @type {[string, string, number | string | null][]} */
      const given = [];
      for (const [flag, field, kind] of SETTINGS) {
        const value = values[flag];
        if (value === undefined) continue;
        if (value === 'default') given.push([flag, field, null]);
        else if (kind === 'text') given.push([flag, field, value]);
        else if (/^\d+$/.test(value.trim())) given.push([flag, field, Number(value)]);
        else throw new UsageError(`--${flag} takes a whole number or "default", not "${visible(value)}".`);
      }
      const api = keyed();
      const current = await api('GET', '/v1/nurture-settings');
      if (!given.length) return void out(current, () => settingsText(current));
      // The whole settings go back: what was not given stays as it is, "default" is left out.
      const now = raw(current);
      /** @type {Record<string, unknown>} */
      const body = { minGapHours: now.minGapHours, sendsPerMinute: now.sendsPerMinute, timeZone: now.timeZone };
      for (const [, field, value] of given) {
        if (value === null) delete body[field];
        else body[field] = value;
      }
      const res = await api('PUT', '/v1/nurture-settings', body);
      out(res, () => settingsText(res));
    },
  },
];
