// @ts-check
/** The data subject's rights, by API key: export, erasure (confirmed first) and withdrawal. PRIVACY.md has the rules. */
import { writeFileSync } from 'node:fs';
import { AUTH_KEY, enc } from '../command.mjs';
import { UsageError } from '../errors.mjs';
import { iso, raw, visible } from '../text.mjs';

/** @type {import('../command.mjs').Command[]} */
export const commands = [
  {
    name: 'leads gdpr-export',
    args: ['<lead-id>'],
    options: ['out'],
    help: `leads gdpr-export <lead-id> [--out FILE]\n  Everything held about the person (JSON).\n${AUTH_KEY}`,
    run: async ({ keyed, values, args: [id = ''], print }) => {
      const res = await keyed()('GET', `/v1/leads/${enc(id)}/export`);
      const text = JSON.stringify(raw(res), null, 2);
      if (values.out) {
        // Personal data: readable by its owner only.
        writeFileSync(values.out, `${text}\n`, { mode: 0o600 });
        print(`Wrote the export of ${id} (${res.events.length} event(s), ${res.consents.ledger.length} ledger entr${res.consents.ledger.length === 1 ? 'y' : 'ies'}) to ${values.out}.`);
      } else print(text);
    },
  },
  {
    name: 'leads erase',
    args: ['<lead-id>'],
    options: ['yes'],
    help: `leads erase <lead-id> [--yes]\n  Erase the person's data (irreversible). Asks for confirmation on a terminal\n  (type the lead id or y); without a terminal --yes is required.\n${AUTH_KEY}`,
    run: async ({ keyed, out, args: [id = ''], values, io }) => {
      if (!values.yes) {
        if (!io.stdinTTY) throw new UsageError(`Refusing to erase lead ${visible(id)} without confirmation: add --yes (erasure is irreversible).`);
        const answer = (await io.ask(`Erase lead ${visible(id)} for good? This cannot be undone. Type the lead id or y to confirm: `)).trim();
        if (answer !== id && answer.toLowerCase() !== 'y') {
          io.err('lodestone: not erased.');
          return 1;
        }
      }
      const res = await keyed()('DELETE', `/v1/leads/${enc(id)}`);
      out(res, () => (res.status === 'already_erased' ? `Lead ${id} was already erased (${iso(res.erasedAt)}).`
        : `Erased lead ${id}: personal data removed, events de-identified, consent ledger pseudonymised (see PRIVACY.md).`));
    },
  },
  {
    name: 'leads withdraw',
    args: ['<lead-id>'],
    help: `leads withdraw <lead-id>\n  Record a withdrawal: no more mails, scoring or tracking linkage\n  (webhooks send one final lead.withdrawn notice).\n${AUTH_KEY}`,
    run: async ({ keyed, out, args: [id = ''] }) => {
      const res = await keyed()('POST', `/v1/leads/${enc(id)}/withdraw`);
      out(res, () => `Lead ${id} is withdrawn: no more mails, scoring, hand-offs or tracking linkage.`);
    },
  },
];
