import type { Problem } from '../protocol/problem';
import type { LeadSubmission, MagnetPublic } from '../protocol/leads';

/** The two calls the widget makes. */

/** The magnet's config, with the widget's words in `lang`. */
export async function loadMagnet(api: string, site: string, id: string, lang: string): Promise<MagnetPublic> {
  const res = await fetch(`${api}/v1/magnets/${encodeURIComponent(site)}/${encodeURIComponent(id)}?lang=${lang}`);
  if (!res.ok) {
    const p = (await res.json().catch(() => undefined)) as Problem | undefined;
    throw new Error(`${res.status} ${p?.detail || res.statusText}`);
  }
  return res.json();
}

/** 0 = network error; otherwise the HTTP status and, for errors, the problem. */
export type SubmitResult = { status: number; problem?: Problem };

export async function submitLead(api: string, body: LeadSubmission): Promise<SubmitResult> {
  try {
    // text/plain: a simple request, no CORS preflight.
    const res = await fetch(`${api}/v1/leads`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(body) });
    return res.ok ? { status: res.status } : { status: res.status, problem: (await res.json().catch(() => undefined)) as Problem | undefined };
  } catch {
    return { status: 0 };
  }
}
