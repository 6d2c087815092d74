// @ts-check
/** Sites and the browser origins allowed to send to them (admin token). */
import { AUTH_ADMIN, enc } from '../command.mjs';
import { UsageError } from '../errors.mjs';
import { iso, normalizeOrigin, table } from '../text.mjs';

/** A normalised origin, or a usage error before anything is sent. @param {string} input */
function origin(input) {
  const r = normalizeOrigin(input);
  if ('error' in r) throw new UsageError(r.error);
  return r.origin;
}

/** @type {import('../command.mjs').Command[]} */
export const commands = [
  {
    name: 'sites list',
    help: `sites list\n  List sites with their origins.\n${AUTH_ADMIN}`,
    run: async ({ api, out }) => {
      const res = await api('GET', '/admin/sites');
      out(res, () => table([['ID', 'NAME', 'ORIGINS'], ...res.sites.map((/** @type {any} */ s) => [s.id, s.name, s.origins.join(' ')])]));
    },
  },
  {
    name: 'sites create',
    args: ['<id>'],
    options: ['name', 'origin'],
    help: `sites create <id> [--name N] [--origin O]…\n  Create a site; repeat --origin. Origins are normalised (https://Acme.example:443/ → https://acme.example).\n${AUTH_ADMIN}`,
    run: async ({ api, out, args: [id], values }) => {
      const res = await api('POST', '/admin/sites', { id, name: values.name, origins: (values.origin ?? []).map(origin) });
      out(res, () => `Created site ${res.site.id} (${res.site.origins.length} origin(s)).`);
    },
  },
  {
    name: 'sites show',
    args: ['<id>'],
    help: `sites show <id>\n  One site with its origins.\n${AUTH_ADMIN}`,
    run: async ({ api, out, args: [id = ''] }) => {
      const res = await api('GET', `/admin/sites/${enc(id)}`);
      out(res, () => `${res.site.id}  ${res.site.name}\ncreated ${iso(res.site.createdAt)}\norigins:\n${res.site.origins.map((/** @type {string} */ o) => `  ${o}`).join('\n') || '  (none)'}`);
    },
  },
  {
    name: 'origins add',
    args: ['<site>', '<origin>'],
    help: `origins add <site> <origin>\n  Allow a browser origin, e.g. https://www.example.com (normalised; paths are refused).\n${AUTH_ADMIN}`,
    run: async ({ api, out, args: [site = '', given = ''] }) => {
      const o = origin(given);
      const res = await api('POST', `/admin/sites/${enc(site)}/origins`, { origin: o });
      out(res, () => (res.added ? `Allowed ${o} for ${site}.` : `${o} was already allowed for ${site}.`));
    },
  },
  {
    name: 'origins remove',
    args: ['<site>', '<origin>'],
    help: `origins remove <site> <origin>\n  Stop allowing an origin (normalised as for add).\n${AUTH_ADMIN}`,
    run: async ({ api, out, args: [site = '', given = ''] }) => {
      const o = origin(given);
      const res = await api('DELETE', `/admin/sites/${enc(site)}/origins?origin=${enc(o)}`);
      out(res, () => `Removed ${o} from ${site}.`);
    },
  },
];
