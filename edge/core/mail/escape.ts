import { MailError, type MailMessage } from './types';

/**
 * Escaping for mails. Pure: no I/O.
 *
 * HTML bodies escape every interpolated value (text and attribute context
 * alike); text bodies and headers lose control characters, because a line
 * break in a header value is how header injection works.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** One line of plain text: control characters become a space. */
export function textSafe(value: string): string {
  return value.replace(CONTROLS, ' ').replace(/ {2,}/g, ' ').trim();
}

/** A header value: one line, bounded length. */
export function headerSafe(value: string, max = 200): string {
  const line = textSafe(value);
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * Last line of defence, called by every Mailer before it sends: no header
 * value (recipient, sender, subject, extra headers and their names) may
 * contain CR, LF or NUL. Refuses the message instead of repairing it.
 */
export function assertHeaderSafe(message: MailMessage): void {
  const values = [message.to, message.from, message.subject, ...Object.keys(message.headers), ...Object.values(message.headers)];
  // eslint-disable-next-line no-control-regex
  if (values.some((v) => /[\r\n\u0000]/.test(v))) throw new MailError('refused: a header value contains a line break', true);
  if (Object.keys(message.headers).some((k) => !/^[A-Za-z0-9-]+$/.test(k))) throw new MailError('refused: invalid header name', true);
}
