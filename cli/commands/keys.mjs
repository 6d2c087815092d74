// @ts-check
/** API keys for the marketing API (admin token); a secret is shown once, at creation. */
import { AUTH_ADMIN, enc } from '../command.mjs';
import { UsageError } from '../errors.mjs';
import { iso, table } from '../text.mjs';

/** @type {import('../command.mjs').Command[]} */
export const commands = [
  {
    name: 'keys create',
    args: ['<site>'],
    options: ['name', 'scope'],
    help: `keys create <site> --name N [--scope S]…\n  Create a marketing API key; the secret is shown once.\n  scopes: leads:read (default), leads:write, config:write\n${AUTH_ADMIN}`,
    run: async ({ api, out, args: [site = ''], values }) => {
      if (!values.name) throw new UsageError('keys create needs --name');
      const res = await api('POST', `/admin/sites/${enc(site)}/keys`, { name: values.name, scopes: values.scope });
      out(res, () => `Created key ${res.key.id} (${res.key.scopes.join(', ')}) for ${site}.\nSecret (shown once, store it now):\n${res.secret}`);
    },
  },
  {
    name: 'keys list',
    args: ['<site>'],
    help: `keys list <site>\n  List keys (never the secrets).\n${AUTH_ADMIN}`,
    run: async ({ api, out, args: [site = ''] }) => {
      const res = await api('GET', `/admin/sites/${enc(site)}/keys`);
      out(res, () => table([['ID', 'NAME', 'SCOPES', 'CREATED', 'STATUS'],
        ...res.keys.map((/** @type {any} */ k) => [k.id, k.name, k.scopes.join(','), iso(k.createdAt), k.revokedAt ? `revoked ${iso(k.revokedAt)}` : 'live'])]));
    },
  },
  {
    name: 'keys revoke',
    args: ['<site>', '<key-id>'],
    help: `keys revoke <site> <key-id>\n  Revoke a key.\n${AUTH_ADMIN}`,
    run: async ({ api, out, args: [site = '', id = ''] }) => {
      const res = await api('DELETE', `/admin/sites/${enc(site)}/keys/${enc(id)}`);
      out(res, () => `Revoked key ${id}.`);
    },
  },
];
