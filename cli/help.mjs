// @ts-check
/** Help texts: the overview, written for people, and each command's block, kept beside the command. */

import { COMMANDS } from './commands/index.mjs';

/** Each command's own help, by name (`lodestone <command> --help`). */
export const COMMAND_HELP = Object.fromEntries(COMMANDS.map((c) => [c.name, c.help]));

export const HELP = `lodestone — admin CLI for a Lodestone edge API

Usage: lodestone <command> [arguments] [options]
       lodestone <command> --help    usage, options and auth of one command

Sites and origins (admin token)
  sites list | sites create <id> | sites show <id>
  origins add|remove <site> <origin>
API keys for the marketing API (admin token)
  keys create <site> --name N [--scope S]… | keys list <site> | keys revoke <site> <key-id>
Events (admin token)
  events <site> [--limit N] [--follow]
Reports (marketing API key)
  funnel [--from ISO] [--to ISO] [--by source|magnet|country|industry|owner]
  review [--from ISO] [--to ISO]              did high scores buy? bands, AUC, exceptions, rules
Nurture (marketing API key; docs/nurture.md)
  sequences list | get <id> [--out FILE] | set <id> FILE | stats <id>
  sequences preview <id> <step> [--lead ID] [--lang en|de] [--outbox] | sequences settings [--min-gap-hours N] …
Leads (marketing API key; the admin view needs --admin, see leads list --help)
  leads list [filters] | leads show <lead-id> | leads export [--format csv|ndjson] [--excel] [--out FILE]
  leads list --admin <site> | leads show --admin <site> <lead-id>
Sales (marketing API key; docs/sales.md)
  leads update <lead-id> --status won --value 12000 --currency EUR | leads update --file FILE
  leads import FILE [--send-optin --magnet M]   fair, webinar and event leads, each row with its legal basis
  owners list | owners set FILE
GDPR (marketing API key; PRIVACY.md)
  leads gdpr-export <lead-id> | leads erase <lead-id> [--yes] | leads withdraw <lead-id>
Scoring
  model get [--out FILE] | model set FILE     (marketing API key)
  model suggest [--out FILE]                  a model learned from the outcomes; nothing applied
  model preview FILE                          what a draft would change; nothing saved
  rescore [--budget-ms N]                     (admin token)
Lead magnets (admin token; docs/widget.md)
  magnets list <site> | show|put|upload|delete <site> <magnet> …
Webhooks to sales/CRM (marketing API key; docs/webhooks.md)
  webhooks add <url> | list | remove <id> | deliveries [--dead] | show <id> | replay <id>
Retention (admin token)
  retention get <site> | retention set <site> … | retention run
Operations (admin token)
  doctor                                      Health of the server, exit 1 when degraded
  mail retry [<mail-id>…]                     Requeue dead mails

Options
  --url URL      API base URL (env LODESTONE_URL; else the running \`npm run dev\` server
                 from .wrangler/lodestone-dev.json; else http://localhost:8787)
  --token T      admin token (env LODESTONE_ADMIN_TOKEN; locally also the dev server file or .dev.vars)
  --key K        marketing API key (env LODESTONE_API_KEY)
  --json         print the API's JSON answer
  --progress     progress on stderr for long commands (default: when stderr is a terminal)
  -h, --help     this help (or a command's, after the command)
  --version      the CLI's version

Exit codes: 0 ok, 1 the API refused, could not be reached or reports degraded health, 2 wrong usage.`;
