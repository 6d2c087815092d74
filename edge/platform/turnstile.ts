/**
 * Cloudflare Turnstile verification (siteverify). A failed or unreachable
 * check counts as "not human": the visitor can retry, a bot cannot skip it.
 */
export const SITEVERIFY_URL = 'https://challenges.cloudflare.com/turnstile/v0/siteverify';

export async function verifyTurnstile(
  secret: string,
  token: string,
  ip: string | null,
  doFetch: typeof fetch = fetch,
): Promise<boolean> {
  const form = new FormData();
  form.set('secret', secret);
  form.set('response', token);
  if (ip) form.set('remoteip', ip);
  try {
    const res = await doFetch(SITEVERIFY_URL, { method: 'POST', body: form, signal: AbortSignal.timeout(5000) });
    if (!res.ok) return false;
    return (await res.json<{ success?: unknown }>()).success === true;
  } catch {
    return false;
  }
}
