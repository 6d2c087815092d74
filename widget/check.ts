import type { MagnetPublic, WidgetCopy as Copy } from '../protocol/leads';
import type { SubmitResult } from './api';

/**
 * Validation in the browser (a courtesy: the edge decides) and the mapping of
 * the edge's answers to messages. Pure.
 */

export type Errors = Record<string, string>;

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]{2,}$/;
const BAD = /[<>\u0000-\u001f]/;

/** Field errors for the values typed; empty when the form may be sent. */
export function checkValues(values: Record<string, string>, consent: boolean, cfg: MagnetPublic, t: Copy): Errors {
  const errors: Errors = {};
  if (!EMAIL.test(values.email || '')) errors.email = values.email ? t.errEmail : t.errRequired;
  for (const f of cfg.fields) {
    const v = values[f.name] || '';
    if (f.required && !v) errors[f.name] = t.errRequired;
    else if (BAD.test(v)) errors[f.name] = t.errField;
  }
  if (!consent) errors.consent = t.errConsent;
  return errors;
}

/** What to tell the visitor after a failed POST /v1/leads. */
export function explain(result: SubmitResult, t: Copy): { fields: Errors; message: string } {
  const fields: Errors = {};
  const p = result.problem;
  if (result.status == 400 && p?.errors) {
    for (const e of p.errors) {
      const name = e.path.slice(1).split('/')[0]!;
      if (name == 'elapsedMs') return { fields, message: t.errFast };
      if (name == 'turnstile') return { fields, message: t.errBot };
      fields[name] = name == 'email' ? t.errEmail : name == 'consent' ? t.errConsent : /required/.test(e.message) ? t.errRequired : t.errField;
    }
    return { fields, message: t.errSummary };
  }
  const message =
    result.status == 0 ? t.errNetwork
    : result.status == 409 ? t.errReload
    : result.status == 429 ? t.errTooMany
    : result.status == 403 && p?.type?.endsWith(':forbidden') ? t.errBot
    : t.errServer;
  return { fields, message };
}
