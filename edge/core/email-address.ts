import { LEAD_LIMITS } from '../../protocol';

/**
 * E-mail address normalisation. Pure: no I/O.
 *
 * Deliberately stricter than RFC 5322: no quoted local parts, comments or IP
 * literals. Such addresses are legal but practically never typed into a lead
 * form, and each is a way to smuggle spaces, quotes or line breaks into a mail
 * header. What is accepted is a dot-atom local part and a DNS host name.
 */

/** RFC 5322 atext, as a dot-atom. */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** One DNS label (after IDNA conversion to ASCII). */
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
/** A top-level domain: letters, or an IDNA (xn--) label. */
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

export type EmailResult = { ok: true; email: string; key: string } | { ok: false; reason: string };

/**
 * Trims, lowercases and IDNA-encodes the domain, keeps the local part as typed
 * (it is case-sensitive in theory) and returns `key`, the lowercased address,
 * which identifies a lead: Jane@X.com and jane@x.com are one person.
 */
export function normaliseEmail(raw: string): EmailResult {
  const input = raw.trim();
  if (!input) return { ok: false, reason: 'must not be empty' };
  if (input.length > LEAD_LIMITS.emailMaxLength) {
    return { ok: false, reason: `must be at most ${LEAD_LIMITS.emailMaxLength} characters` };
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\s]/.test(input)) return { ok: false, reason: 'must not contain spaces or line breaks' };
  const at = input.lastIndexOf('@');
  if (at <= 0 || at === input.length - 1) return { ok: false, reason: 'must be an e-mail address such as name@example.com' };
  const local = input.slice(0, at);
  const domainRaw = input.slice(at + 1);
  if (local.length > LEAD_LIMITS.emailLocalMaxLength) {
    return { ok: false, reason: `must have at most ${LEAD_LIMITS.emailLocalMaxLength} characters before the @` };
  }
  if (!LOCAL_PART.test(local)) return { ok: false, reason: 'has characters that are not allowed before the @' };
  const domain = toAsciiDomain(domainRaw);
  if (!domain) return { ok: false, reason: 'must end in a valid domain such as example.com' };
  const email = `${local}@${domain}`;
  if (email.length > LEAD_LIMITS.emailMaxLength) {
    return { ok: false, reason: `must be at most ${LEAD_LIMITS.emailMaxLength} characters` };
  }
  return { ok: true, email, key: email.toLowerCase() };
}

/** Lowercase ASCII (IDNA) form of a host name, or null when it is not one. */
function toAsciiDomain(raw: string): string | null {
  if (raw.length > 253 || /[^\p{L}\p{M}\p{N}.-]/u.test(raw)) return null;
  let host: string;
  try {
    // The WHATWG URL parser applies UTS #46 (IDNA) and lowercases.
    host = new URL(`http://${raw}/`).hostname;
  } catch {
    return null;
  }
  const labels = host.split('.');
  if (labels.length < 2 || host.length > 253) return null;
  if (!labels.every((l) => LABEL.test(l))) return null;
  return TLD.test(labels[labels.length - 1]!) ? host : null;
}
