// @ts-check
/** `npm run dev`: the whole product on http://localhost:8787 (PORT overrides). */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEMO_SITE, ROOT, startStack } from './stack.mjs';

/** Where the CLI finds the running dev server: its URL, and the pid that tells whether it still runs. */
export const DEV_STATE_FILE = join(ROOT, '.wrangler', 'lodestone-dev.json');

/** Wrangler dev's built-in trigger for the scheduled handler; needs no flag (unlike /__scheduled). */
export const scheduledUrl = (/** @type {string} */ base) => `${base}/cdn-cgi/local/scheduled`;

/** @param {string} file @param {string} url @param {number} pid */
export function writeDevState(file, url, pid) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ url, pid })}\n`);
}

/** What `npm run dev` prints once everything answers. */
/** @param {{ base: string, apiKey: string, cronSeconds: number }} o */
export function devBanner({ base, apiKey, cronSeconds }) {
  // The CLI defaults to port 8787: on any other port every command needs the URL.
  const env = base === 'http://localhost:8787' ? '' : `LODESTONE_URL=${base} `;
  return `
  Lodestone is running on ${base}
    Demo site        ${base}/
    Dashboard        ${base}/app   (sign in with the marketing key below)
    Whitepaper form  ${base}/whitepaper
    Dev outbox       ${base}/dev/outbox   (confirmation mails land here; nothing leaves this machine)
    API docs         ${base}/docs
    Snippet          ${base}/s.js     Widget ${base}/w.js
    Health           ${base}/healthz
    Demo site id     ${DEMO_SITE}
    Admin token      in .dev.vars (the CLI reads it)
    Marketing key    ${apiKey}
                     (new on every start; the previous dev key is revoked)
  Cron: wrangler dev never runs it by itself, so this process runs the scheduled handler
  (mail retries, rescoring, webhooks, retention) every ${cronSeconds} s. Run it now:
    curl "${scheduledUrl(base)}"
  In a second terminal:
    ${env}npx lodestone sites list
    ${env}npx lodestone events ${DEMO_SITE} --follow
    ${env}LODESTONE_API_KEY=${apiKey} npx lodestone leads list
  Stop with Ctrl+C.
`;
}

/**
 * Runs the scheduled handler every `everyMs`; a failed run is printed and the
 * next tick tries again. Returns the stop function.
 * @param {string} base @param {number} everyMs
 */
export function startCronTimer(base, everyMs) {
  const run = async () => {
    try {
      const res = await fetch(scheduledUrl(base));
      if (!res.ok) console.warn(`lodestone dev: scheduled run answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    } catch (err) {
      console.warn(`lodestone dev: scheduled run failed: ${/** @type {Error} */ (err).message}`);
    }
  };
  const timer = setInterval(run, everyMs);
  return () => clearInterval(timer);
}

async function main() {
  const port = Number(process.env.PORT ?? 8787);
  const cronMs = Number(process.env.LODESTONE_DEV_CRON_MS ?? 60_000);
  console.log('Lodestone: building, migrating local D1 and starting wrangler dev…');
  const stack = await startStack({ port, inherit: true });
  const base = `http://localhost:${port}`;
  writeDevState(DEV_STATE_FILE, base, process.pid);
  const removeState = () => rmSync(DEV_STATE_FILE, { force: true });
  process.on('exit', removeState);
  console.log(devBanner({ base, apiKey: stack.apiKey, cronSeconds: Math.round(cronMs / 1000) }));
  const stopCron = startCronTimer(base, cronMs);

  const shutdown = async () => {
    stopCron();
    removeState();
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  stack.child.on('exit', (code) => process.exit(code ?? 0));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
