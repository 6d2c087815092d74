// @ts-check
/** Help texts: the overview and one usage block per command. */

const ADMIN = 'Auth: admin token (--token, LODESTONE_ADMIN_TOKEN, the dev server file or .dev.vars).';
const KEY = 'Auth: marketing API key (--key or LODESTONE_API_KEY); the key decides the site.';

/** @type {Record<string, string>} */
export const COMMAND_HELP = {
  'sites list': `sites list\n  List sites with their origins.\n${ADMIN}`,
  'sites create': `sites create <id> [--name N] [--origin O]…\n  Create a site; repeat --origin. Origins are normalised (https://Acme.example:443/ → https://acme.example).\n${ADMIN}`,
  'sites show': `sites show <id>\n  One site with its origins.\n${ADMIN}`,
  'origins add': `origins add <site> <origin>\n  Allow a browser origin, e.g. https://www.example.com (normalised; paths are refused).\n${ADMIN}`,
  'origins remove': `origins remove <site> <origin>\n  Stop allowing an origin (normalised as for add).\n${ADMIN}`,
  'keys create': `keys create <site> --name N [--scope S]…\n  Create a marketing API key; the secret is shown once.\n  scopes: leads:read (default), leads:write, config:write\n${ADMIN}`,
  'keys list': `keys list <site>\n  List keys (never the secrets).\n${ADMIN}`,
  'keys revoke': `keys revoke <site> <key-id>\n  Revoke a key.\n${ADMIN}`,
  events: `events <site> [--limit N] [--follow] [--interval MS]\n  Newest events, oldest first. --follow keeps printing new ones; when the server\n  goes away it retries with backoff and resumes where it stopped.\n${ADMIN}`,
  funnel: `funnel [--from ISO] [--to ISO]\n  Visitors → pricing visitors → form views → leads → confirmed → MQL → SQL,\n  with the conversion between steps. Default: the last 30 days.\n${KEY}`,
  'leads list': `leads list [--stage S] [--temperature T] [--min-score N] [--q TEXT] [--magnet M]\n           [--updated-since ISO] [--sort score|updated] [--limit N]\n  Leads of the key's site, best current score first.\n${KEY}\n\nleads list --admin <site> [--status S] [--email E] [--limit N]\n  The admin view of any site's leads; status: pending, confirmed, withdrawn.\n  Uses the admin token only, never the API key.`,
  'leads show': `leads show <lead-id>\n  Profile, score explained, stages, consents, events.\n${KEY}\n\nleads show --admin <site> <lead-id>\n  The admin view: one lead with its consent ledger. Uses the admin token only.`,
  'leads export': `leads export [--format csv|ndjson] [--excel] [--out FILE] [--progress] [filters as for leads list]\n  Every matching lead, page by page (spreadsheet-safe CSV).\n  --excel     CSV for Excel: UTF-8 BOM and ";" separator\n  --progress  report pages on stderr (default: only when stderr is a terminal)\n${KEY}`,
  'leads gdpr-export': `leads gdpr-export <lead-id> [--out FILE]\n  Everything held about the person (JSON).\n${KEY}`,
  'leads erase': `leads erase <lead-id> [--yes]\n  Erase the person's data (irreversible). Asks for confirmation on a terminal\n  (type the lead id or y); without a terminal --yes is required.\n${KEY}`,
  'leads withdraw': `leads withdraw <lead-id>\n  Record a withdrawal: no more mails, scoring or tracking linkage\n  (webhooks send one final lead.withdrawn notice).\n${KEY}`,
  'model get': `model get [--out FILE]\n  The site's scoring model (JSON).\n${KEY}`,
  'model set': `model set FILE\n  Validate and save a new model version; rescoring starts.\n${KEY}`,
  rescore: `rescore [--budget-ms N] [--progress]\n  Run open rescoring jobs now, pass after pass until none is open.\n  --progress  report each pass on stderr (default: only when stderr is a terminal)\n${ADMIN}`,
  'magnets list': `magnets list <site>\n  List magnets with their file.\n${ADMIN}`,
  'magnets show': `magnets show <site> <magnet>\n  One magnet's config, consent texts and file.\n${ADMIN}`,
  'magnets put': `magnets put <site> <magnet> --config F\n  Create or replace the config from a JSON file (docs/widget.md).\n${ADMIN}`,
  'magnets upload': `magnets upload <site> <magnet> <file>\n  Upload the file it delivers (PDF, EPUB, ZIP, …; max 10 MiB).\n${ADMIN}`,
  'magnets delete': `magnets delete <site> <magnet>\n  Delete a magnet and its file (leads and ledger stay).\n${ADMIN}`,
  'webhooks add': `webhooks add <url> [--event E]… [--description D]\n  Add an endpoint; the signing secret is shown once.\n  events: lead.confirmed, lead.stage_changed, lead.withdrawn (default: all)\n${KEY}`,
  'webhooks list': `webhooks list\n  The site's endpoints.\n${KEY}`,
  'webhooks remove': `webhooks remove <endpoint-id>\n  Delete an endpoint with its deliveries.\n${KEY}`,
  'webhooks deliveries': `webhooks deliveries [--dead] [--status S] [--limit N]\n  Newest deliveries; --dead: dead letters only.\n${KEY}`,
  'webhooks show': `webhooks show <delivery-id>\n  One delivery with its attempt log.\n${KEY}`,
  'webhooks replay': `webhooks replay <delivery-id>\n  Send a delivery again (same id and payload), now.\n${KEY}`,
  'retention get': `retention get <site>\n  The site's retention periods (and the defaults).\n${ADMIN}`,
  'retention set': `retention set <site> [--pending-days N] [--withdrawn-days N] [--event-months N] [--ledger-years N]\n  Change them; "default" resets one.\n${ADMIN}`,
  'retention run': `retention run [--budget-ms N]\n  Run the retention work now (the cron does it every 5 minutes).\n${ADMIN}`,
  doctor: `doctor\n  Checks the server is reachable, the admin token is accepted, and reads its health\n  (mail and webhook queues, magnets). Exit code 1 when anything is degraded.\n${ADMIN}`,
  'mail retry': `mail retry [<mail-id>…]\n  Requeue dead mails now (all of them without ids); pending and stuck ones are left to the cron.\n${ADMIN}`,
};

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
  funnel [--from ISO] [--to ISO]
Leads (marketing API key; the admin view needs --admin, see leads list --help)
  leads list [filters] | leads show <lead-id> | leads export [--format csv|ndjson] [--excel] [--out FILE]
  leads list --admin <site> | leads show --admin <site> <lead-id>
GDPR (marketing API key; PRIVACY.md)
  leads gdpr-export <lead-id> | leads erase <lead-id> [--yes] | leads withdraw <lead-id>
Scoring
  model get [--out FILE] | model set FILE     (marketing API key)
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
