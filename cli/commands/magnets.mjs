// @ts-check
/** Lead magnets (admin token): their config with consent texts, and the file each delivers. docs/widget.md has the config. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { AUTH_ADMIN, enc } from '../command.mjs';
import { UsageError } from '../errors.mjs';
import { table } from '../text.mjs';

/** @type {import('../command.mjs').Command[]} */
export const commands = [
  {
    name: 'magnets list',
    args: ['<site>'],
    help: `magnets list <site>\n  List magnets with their file.\n${AUTH_ADMIN}`,
    run: async ({ api, out, args: [site = ''] }) => {
      const res = await api('GET', `/admin/sites/${enc(site)}/magnets`);
      out(res, () => table([['ID', 'LANG', 'TITLE', 'CONSENT', 'FILE'],
        ...res.magnets.map((/** @type {any} */ m) => [m.id, m.lang, m.title, m.consent.version, m.file ? `${m.file.name} (${m.file.size} B)` : '(none: upload one)'])]));
    },
  },
  {
    name: 'magnets show',
    args: ['<site>', '<magnet>'],
    help: `magnets show <site> <magnet>\n  One magnet's config, consent texts and file.\n${AUTH_ADMIN}`,
    run: async ({ api, out, args: [site = '', id = ''] }) => {
      const res = await api('GET', `/admin/sites/${enc(site)}/magnets/${enc(id)}`);
      const m = res.magnet;
      out(res, () => [`${m.id}  ${m.title}  (${m.lang})`, m.description,
        `fields: ${m.fields.map((/** @type {any} */ f) => `${f.name}${f.required ? '*' : ''}`).join(', ') || '(e-mail only)'}`,
        `consent ${m.consent.version}: ${m.consent.text}`,
        m.marketing ? `marketing ${m.marketing.version}: ${m.marketing.text}` : `marketing: ${m.coupled ? 'coupled to the download (stated)' : 'not asked'}`,
        `privacy: ${m.privacyUrl}`,
        `file: ${m.file ? `${m.file.name} ${m.file.type} ${m.file.size} B sha256 ${m.file.sha256}` : '(none)'}`].join('\n'));
    },
  },
  {
    name: 'magnets put',
    args: ['<site>', '<magnet>'],
    options: ['config'],
    help: `magnets put <site> <magnet> --config F\n  Create or replace the config from a JSON file (docs/widget.md).\n${AUTH_ADMIN}`,
    run: async ({ api, out, args: [site = '', id = ''], values }) => {
      if (!values.config) throw new UsageError('magnets put needs --config file.json');
      let config;
      try {
        config = JSON.parse(readFileSync(values.config, 'utf8'));
      } catch (err) {
        throw new UsageError(`Cannot read ${values.config}: ${/** @type {Error} */ (err).message}`);
      }
      const res = await api('PUT', `/admin/sites/${enc(site)}/magnets/${enc(id)}`, config);
      out(res, () => `Saved magnet ${res.magnet.id} (consent ${res.magnet.consent.version}).${res.magnet.file ? '' : ' Upload its file next: lodestone magnets upload.'}`);
    },
  },
  {
    name: 'magnets upload',
    args: ['<site>', '<magnet>', '<file>'],
    help: `magnets upload <site> <magnet> <file>\n  Upload the file it delivers (PDF, EPUB, ZIP, …; max 10 MiB).\n${AUTH_ADMIN}`,
    run: async ({ api, out, args: [site = '', id = '', file = ''] }) => {
      let bytes;
      try {
        bytes = new Uint8Array(readFileSync(file));
      } catch (err) {
        throw new UsageError(`Cannot read ${file}: ${/** @type {Error} */ (err).message}`);
      }
      const res = await api('PUT', `/admin/sites/${enc(site)}/magnets/${enc(id)}/file?name=${enc(basename(file))}`, bytes);
      out(res, () => `Uploaded ${res.magnet.file.name} (${res.magnet.file.size} B) to ${site}/${id}.`);
    },
  },
  {
    name: 'magnets delete',
    args: ['<site>', '<magnet>'],
    help: `magnets delete <site> <magnet>\n  Delete a magnet and its file (leads and ledger stay).\n${AUTH_ADMIN}`,
    run: async ({ api, out, args: [site = '', id = ''] }) => {
      const res = await api('DELETE', `/admin/sites/${enc(site)}/magnets/${enc(id)}`);
      out(res, () => `Deleted magnet ${id}.`);
    },
  },
];
