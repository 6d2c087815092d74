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
import { commands as sites } from './sites.mjs';
import { commands as webhooks } from './webhooks.mjs';

/** @type {import('../command.mjs').Command[]} */
export const COMMANDS = [...sites, ...keys, ...events, ...reports, ...leads, ...sales, ...gdpr, ...scoring, ...magnets, ...webhooks, ...retention, ...operations];
