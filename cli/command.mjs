// @ts-check
/** What a command is, and what it is handed when it runs. Each file in commands/ exports a list of them. */
import { ApiError } from './errors.mjs';

/**
 * What the CLI needs from its surroundings (tests pass their own).
 * @typedef {object} Io
 * @property {(line: string) => void} err      one line to stderr
 * @property {boolean} stdinTTY
 * @property {boolean} stderrTTY
 * @property {boolean} stdoutTTY
 * @property {(data: string) => void} write   raw data to stdout
 * @property {(question: string) => Promise<string>} ask   one answer from the terminal
 * @property {NodeJS.ProcessEnv} env
 * @property {string} cwd
 * @property {(ms: number) => Promise<void>} sleep
 */

/**
 * The options as typed, by their flag names (`min-score`, not `minScore`).
 * @typedef {{ json?: boolean, name?: string, origin?: string[], scope?: string[], limit?: string, follow?: boolean, interval?: string,
 *   config?: string, status?: string, email?: string, out?: string, 'budget-ms'?: string, 'pending-days'?: string, 'withdrawn-days'?: string,
 *   'event-months'?: string, 'ledger-years'?: string, event?: string[], description?: string, dead?: boolean, format?: string, url?: string,
 *   token?: string, key?: string, stage?: string, temperature?: string, 'min-score'?: string, q?: string, sort?: string, magnet?: string,
 *   'updated-since'?: string, from?: string, to?: string, yes?: boolean, progress?: boolean, excel?: boolean, admin?: boolean,
 *   file?: string, reason?: string, value?: string, currency?: string, 'closed-at'?: string, owner?: string, 'crm-id'?: string,
 *   budget?: string, authority?: string, need?: string, timeline?: string, by?: string, 'send-optin'?: boolean }} Values
 */

/**
 * @typedef {object} Ctx
 * @property {import('./client.mjs').Client} api  admin API (admin token)
 * @property {() => import('./client.mjs').Client} keyed  marketing API (API key), resolved on use
 * @property {Io} io
 * @property {boolean} progress  report progress on stderr
 * @property {(json: unknown, human: () => string) => void} out  the API's JSON with --json, else the human text
 * @property {string[]} args  the positional arguments after the command's name
 * @property {Values} values
 * @property {(line: string) => void} print
 */

/**
 * One command. `args` are its positional arguments as the parser declares them
 * (`<site>` required, `[id]` optional, `[ids...]` any number); `options` name
 * entries of the option table in lodestone.mjs. `help` is printed after
 * "Usage: lodestone ", so it starts with the command line itself.
 * @typedef {object} Command
 * @property {string} name   "group action", or one word
 * @property {string[]} [args]
 * @property {(keyof Values)[]} [options]
 * @property {string} help
 * @property {(ctx: Ctx) => Promise<void | number>} run  resolves to the exit code (0 when nothing is returned)
 */

/** The help line that says which credential a command uses. */
export const AUTH_ADMIN = 'Auth: admin token (--token, LODESTONE_ADMIN_TOKEN, the dev server file or .dev.vars).';
export const AUTH_KEY = 'Auth: marketing API key (--key or LODESTONE_API_KEY); the key decides the site.';

export const enc = encodeURIComponent;

/** How often a command asks again while the API is still computing (202) before it gives up. */
export const COMPUTE_TRIES = 10;

/** Seconds from a Retry-After header (seconds or an HTTP date); 30 when absent or unreadable, at most five minutes. @param {string | null} header */
export function retryAfterMs(header) {
  const seconds = header === null || header.trim() === '' ? NaN : /^\d+$/.test(header.trim()) ? Number(header.trim()) : (Date.parse(header) - Date.now()) / 1000;
  return Math.round(Math.min(300, Math.max(1, Number.isFinite(seconds) ? seconds : 30)) * 1000);
}

/**
 * One request to an API route that answers 202 `{ status: 'computing', computed }` while the facts it
 * needs are still being computed (the scoring review, the suggestion): waits as Retry-After says and
 * asks again, reporting each wait on stderr when `progress`; gives up after `tries` answers.
 * Refusals (a 422 "not enough data") throw as for any other request.
 * @param {Pick<Ctx, 'keyed' | 'io' | 'progress'>} ctx @param {string} method @param {string} path @param {unknown} [body]
 * @returns {Promise<any>} the final answer's JSON
 */
export async function whenComputed({ keyed, io, progress }, method, path, body, tries = COMPUTE_TRIES) {
  const api = keyed();
  let computed = 0;
  for (let attempt = 1; ; attempt++) {
    const res = await api.answer(method, path, body);
    if (res.status !== 202) return res.json;
    computed += Number(res.json.computed) || 0;
    if (attempt >= tries) {
      throw new ApiError(`The server was still computing the outcome facts after ${tries} tries (${computed} computed meanwhile); `
        + 'its cron continues the work: run the command again in a few minutes.', 202);
    }
    const wait = retryAfterMs(res.headers.get('retry-after'));
    if (progress) io.err(`lodestone: the outcome facts are being computed (${computed} so far); asking again in ${Math.round(wait / 1000)} s (try ${attempt} of ${tries})`);
    await io.sleep(wait);
  }
}
