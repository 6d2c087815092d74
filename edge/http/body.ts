import { malformed, tooLarge, unsupportedMediaType } from './problem';

/**
 * Reads a JSON body with a hard byte limit.
 *
 * Content-Length is checked first (cheap rejection), then the stream is read
 * with a running count, because Content-Length can be absent or lie.
 */
export async function readJson(
  req: Request,
  opts: { maxBytes: number; mediaTypes: readonly string[] },
): Promise<unknown> {
  const contentType = req.headers.get('content-type') ?? '';
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (!opts.mediaTypes.includes(mediaType)) throw unsupportedMediaType(contentType, opts.mediaTypes);

  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (declared > opts.maxBytes) throw tooLarge(opts.maxBytes);

  const bytes = await readCapped(req.body, opts.maxBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw malformed('The body is not valid UTF-8.');
  }
  if (!text.trim()) throw malformed('The body is empty; a JSON document is expected.');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw malformed(`The body is not valid JSON: ${(e as Error).message}`);
  }
}

async function readCapped(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
