// @ts-check
/**
 * The one place the CLI touches the network: a JSON client per credential, and
 * which credential a command gets (resolved on first use, so a command that
 * needs only an API key never asks for the admin token).
 */
import { ApiError, Unreachable, UsageError } from './errors.mjs';
import { resolveToken, resolveUrl } from './target.mjs';
import { sanitize, visible } from './text.mjs';

/** @typedef {(method: string, path: string, body?: unknown) => Promise<any>} Api */
/** @typedef {(path: string) => Promise<{ text: string, headers: Headers, status: number }>} TextApi */
/** @typedef {(method: string, path: string, body?: unknown) => Promise<{ status: number, headers: Headers, json: any }>} AnswerApi */
/** @typedef {Api & { text: TextApi, answer: AnswerApi }} Client */
/** @typedef {{ url: string, from: string }} Target */

/** A file sent as it is, with its media type (a CSV or NDJSON upload). */
export class FileBody {
  /** @param {string} text @param {string} type */
  constructor(text, type) {
    this.text = text;
    this.type = type;
  }
}

/** How to point the CLI elsewhere, for "cannot reach" messages. */
const WHERE_HINT = 'Start it with npm run dev, or point the CLI at a server with --url or LODESTONE_URL.';

/**
 * One problem+json answer as one line: title, status, detail and any field
 * errors the detail does not already name.
 * @param {number} status @param {string} text
 */
function problemMessage(status, text) {
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    return `${status} with a non-JSON answer`;
  }
  const p = sanitize(json);
  const detail = typeof p.detail === 'string' && p.detail ? p.detail : visible(text);
  const extra = (Array.isArray(p.errors) ? p.errors : [])
    .map((/** @type {{path: string, message: string}} */ e) => `${e.path} ${e.message}`)
    .filter((/** @type {string} */ e) => !detail.includes(e));
  return `${p.title ?? 'Error'} (${status}): ${detail}${extra.length ? ` (also: ${extra.join('; ')})` : ''}`;
}

/**
 * One request with one credential; errors become ApiError with the problem detail.
 * @param {Target} target @param {string} token @param {string} method @param {string} path @param {unknown} [body]
 */
async function request(target, token, method, path, body) {
  const { url } = target;
  let res;
  try {
    // Bytes (a magnet's file) and files (a CSV) go as they are; everything else as JSON.
    const bytes = body instanceof Uint8Array;
    const file = body instanceof FileBody;
    const type = bytes ? 'application/octet-stream' : file ? body.type : 'application/json';
    res = await fetch(new URL(path, `${url}/`), {
      method,
      // The server records writes made through the CLI as such.
      headers: { authorization: `Bearer ${token}`, 'lodestone-client': 'cli', ...(body === undefined ? {} : { 'content-type': type }) },
      body: body === undefined ? undefined : bytes ? /** @type {Uint8Array<ArrayBuffer>} */ (body) : file ? body.text : JSON.stringify(body),
    });
  } catch (err) {
    const cause = /** @type {any} */ (err).cause;
    throw new Unreachable(`Cannot reach ${url} (${cause?.code ?? cause?.message ?? err}; URL from ${target.from}). ${WHERE_HINT}`);
  }
  // Keep a byte-order mark: Excel's CSV dialect starts with one on purpose.
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
  if (!res.ok) throw new ApiError(problemMessage(res.status, text), res.status);
  return { text, headers: res.headers, status: res.status };
}

/**
 * A JSON client for one credential (admin token or marketing API key). Answers
 * come back sanitized for the terminal; `raw()` gives the API's own JSON.
 * @param {Target} target @param {string} token @returns {Client}
 */
function client(target, token) {
  /** @type {AnswerApi} */
  const answer = async (method, path, body) => {
    const { text, headers, status } = await request(target, token, method, path, body);
    try {
      return { status, headers, json: sanitize(text ? JSON.parse(text.replace(/^\ufeff/, '')) : {}) };
    } catch {
      throw new ApiError(`${method} ${path}: a non-JSON answer`);
    }
  };
  /** @type {Api} */
  const json = async (method, path, body) => (await answer(method, path, body)).json;
  return Object.assign(json, { text: (/** @type {string} */ path) => request(target, token, 'GET', path), answer });
}

/**
 * The two clients a command may use, for the server the options and
 * environment point at.
 * @param {{ url?: string, token?: string, key?: string }} values @param {NodeJS.ProcessEnv} env @param {string} cwd
 * @returns {{ api: Client, keyed: () => Client }}
 */
export function connect(values, env, cwd) {
  const target = resolveUrl(values.url, env, cwd);
  const where = { url: target.url, from: target.source };
  /** @type {Client | undefined} */
  let adminApi;
  const admin = () => {
    if (adminApi) return adminApi;
    const token = resolveToken(target.url, values.token, env, cwd, target.dev);
    if (!token) throw new UsageError('No admin token: pass --token or set LODESTONE_ADMIN_TOKEN (local dev keeps it in .dev.vars).');
    return (adminApi = client(where, token));
  };
  /** @type {Client} */
  const api = Object.assign((/** @type {Parameters<Api>} */ ...a) => admin()(...a), {
    text: (/** @type {string} */ p) => admin().text(p),
    answer: (/** @type {Parameters<AnswerApi>} */ ...a) => admin().answer(...a),
  });
  const keyed = () => {
    const key = values.key ?? env.LODESTONE_API_KEY;
    if (!key) throw new UsageError('No API key: pass --key or set LODESTONE_API_KEY (npm run dev prints one).');
    return client(where, key);
  };
  return { api, keyed };
}
