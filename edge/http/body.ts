import { readBytes } from './bytes';
import { BULK_LIMITS, BULK_TYPES, type BulkFormat } from '../core/bulk-rows';
import { malformed, unsupportedMediaType } from './problem';

/**
 * Body readers, each with a hard byte limit: Content-Length is checked first
 * (cheap rejection), then the stream is read with a running count, because
 * Content-Length can be absent or lie. Nothing is parsed before the whole
 * body is in and within the limit, and every parse failure is a 4xx problem.
 */

const mediaTypeOf = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase();

function utf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw malformed('The body is not valid UTF-8.');
  }
}

/** A text body of one of `mediaTypes`, as a string. */
export async function readText(req: Request, opts: { maxBytes: number; mediaTypes: readonly string[] }): Promise<string> {
  const contentType = req.headers.get('content-type') ?? '';
  if (!opts.mediaTypes.includes(mediaTypeOf(contentType))) throw unsupportedMediaType(contentType, opts.mediaTypes);
  return utf8(await readBytes(req, opts.maxBytes));
}

/** An upload of many rows (JSON array, NDJSON or CSV, by its media type) within the bulk byte cap, as text. */
export async function readUpload(req: Request): Promise<{ text: string; format: BulkFormat }> {
  const text = await readText(req, { maxBytes: BULK_LIMITS.bytes, mediaTypes: Object.keys(BULK_TYPES) });
  return { text, format: BULK_TYPES[mediaTypeOf(req.headers.get('content-type') ?? '')]! };
}

/** A JSON body (sent as one of `mediaTypes`), parsed. */
export async function readJson(
  req: Request,
  opts: { maxBytes: number; mediaTypes: readonly string[] },
): Promise<unknown> {
  const text = await readText(req, opts);
  if (!text.trim()) throw malformed('The body is empty; a JSON document is expected.');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw malformed(`The body is not valid JSON: ${(e as Error).message}`);
  }
}

export const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'] as const;

/**
 * The text fields of a form POST (urlencoded or multipart; file parts are
 * ignored). An empty body is an empty form whatever its type, so a bodiless
 * POST still works; any other type is 415, and a multipart body without a
 * boundary, truncated or garbled is 400.
 */
export async function readForm(req: Request, opts: { maxBytes: number }): Promise<URLSearchParams> {
  const contentType = req.headers.get('content-type') ?? '';
  const type = mediaTypeOf(contentType);
  const bytes = await readBytes(req, opts.maxBytes);
  if (bytes.byteLength === 0) return new URLSearchParams();
  if (type === 'application/x-www-form-urlencoded') return new URLSearchParams(utf8(bytes));
  if (type !== 'multipart/form-data') throw unsupportedMediaType(contentType, FORM_TYPES);
  if (!/;\s*boundary=("[^"]+"|[^\s;]+)/i.test(contentType)) throw malformed('The multipart body has no boundary parameter.');
  let form: FormData;
  try {
    // Parsed from the bytes already read and counted, never from the open stream.
    form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw malformed('The multipart body is truncated or not well-formed.');
  }
  const out = new URLSearchParams();
  for (const [k, v] of form) if (typeof v === 'string') out.append(k, v);
  return out;
}
