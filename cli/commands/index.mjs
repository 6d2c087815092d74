// @ts-check
/** Every command, in the order the overview help lists them. */
import { commands as events } from './events.mjs';
import { commands as gdpr } from './gdpr.mjs';
import { commands as keys } from './keys.mjs';
import { commands as leads } from './leads.mjs';
import { commands as magnets } from './magnets.mjs';
import { commands as operations } from './operations.mjs';
import { commands as reports } from './reports.mjs';
import { commands as retention } from './retention.mjs';
import { commands as scoring } from './scoring.mjs';
import { commands as sales } from './sales.mjs';
import { commands as sequences } from './sequences.mjs';
import { commands as sites } from './sites.mjs';
import { commands as webhooks } from './webhooks.mjs';

/**
 * The sequences commands take options the shared Values do not name (their own type, in sequences.mjs).
 * @type {(import('../command.mjs').Command | import('./sequences.mjs').SequenceCommand)[]}
 */
export const COMMANDS = [...sites, ...keys, ...events, ...reports, ...leads, ...sales, ...gdpr, ...scoring, ...sequences, ...magnets, ...webhooks, ...retention, ...operations];
