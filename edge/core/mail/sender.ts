import { MailError } from './types';

/**
 * The sender address (MAIL_FROM), e.g. `Acme <no-reply@acme.example>` or a
 * bare address. Pure. Checked at startup of a send, so a misconfigured
 * sender fails loudly instead of producing a broken From header.
 */
export interface Sender {
  name: string;
  email: string;
}

const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$/;

export function parseSender(raw: string | undefined): Sender {
  const value = (raw ?? '').trim();
  // eslint-disable-next-line no-control-regex
  if (!value || /[\r\n\u0000]/.test(value)) throw new MailError('MAIL_FROM is not set or contains a line break', true);
  const named = /^(.*?)\s*<([^<>]+)>$/.exec(value);
  const name = (named ? named[1]! : '').replace(/^"|"$/g, '').trim();
  const email = (named ? named[2]! : value).trim();
  if (!ADDRESS.test(email)) throw new MailError(`MAIL_FROM "${value}" is not an address such as "Acme <no-reply@acme.example>"`, true);
  return { name, email };
}

/** The sender as one header value; the name is quoted when it needs to be. */
export function formatSender(sender: Sender): string {
  if (!sender.name) return sender.email;
  const name = /^[A-Za-z0-9 ]+$/.test(sender.name) ? sender.name : `"${sender.name.replace(/["\\]/g, '')}"`;
  return `${name} <${sender.email}>`;
}
