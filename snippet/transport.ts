/**
 * The only module that touches the network. Bodies are text/plain (a
 * "simple" request: no CORS preflight).
 *
 * When the page is being hidden or left, sendBeacon: the browser delivers it
 * after the page is gone, and nothing could read an answer anyway. If the
 * browser refuses the beacon (quota), fetch with keepalive. While the page
 * is visible, fetch with keepalive directly, because its answer is readable:
 * a batch that fails (network error, 5xx, 429) is seen, kept and sent again,
 * where a beacon would have been reported as sent and lost.
 *
 * Resolves true when the batch is done with (delivered, or refused for good
 * with a 4xx: retrying cannot help) and false when it should be kept.
 */
export async function send(url: string, body: string, leaving?: boolean): Promise<boolean> {
  if (!navigator.onLine) return false;
  try {
    if (leaving && navigator.sendBeacon(url, body)) return true;
    const r = await fetch(url, { method: 'POST', body, keepalive: true, credentials: 'omit' });
    return r.status < 500 && r.status != 429;
  } catch {
    return false;
  }
}
