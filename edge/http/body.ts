import { readBytes } from './bytes';
import { malformed, unsupportedMediaType } from './problem';

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

  const bytes = await readBytes(req, opts.maxBytes);
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
