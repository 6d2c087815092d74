import type { Lang } from '../../../protocol';
import { escapeHtml, headerSafe, textSafe } from './escape';
import type { RenderedMail } from './render';

/**
 * Mails to the company's own sales people: "a lead for you" (with who it is,
 * the score and why, the latest behaviour and the consents) and "a lead of
 * yours moved on" (the owner did not answer in time). Internal mail: no
 * marketing content, no unsubscribe. Pure; every value is escaped here.
 */

export interface OwnerAlertLead {
  id: string;
  email: string;
  firstName: string | null;
  company: string | null;
  role: string | null;
  companySize: string | null;
  industry: string | null;
  country: string | null;
}

export interface OwnerAlertInput {
  lang: Lang;
  siteName: string;
  ownerName: string;
  lead: OwnerAlertLead;
  score: { score: number; fit: number; engagement: number; stage: string; temperature: string } | null;
  /** The explanation lines, most points first. */
  why: { label: string; points: number; count: number }[];
  /** Newest first: pricing visits, downloads and the like. */
  events: { kind: string; path: string; at: number }[];
  consents: { action: string; purpose: string | null; granted: boolean | null; at: number }[];
  /** Hours the owner has to accept or reject. */
  slaHours: number;
  /** The lead in the API, for whoever works from there. */
  leadUrl: string;
  /** The signed page to accept or reject the lead in one click (no API key needed). */
  answerUrl: string;
  /** Why it is this owner's: routing, a manual assignment or the previous owner's silence. */
  reason: 'routed' | 'manual' | 'reassigned';
}

export interface OwnerNoticeInput {
  lang: Lang;
  siteName: string;
  ownerName: string;
  lead: OwnerAlertLead;
  newOwnerName: string;
  slaHours: number;
}

const WHY_SHOWN = 8;
const EVENTS_SHOWN = 10;

interface Copy {
  subject: (who: string) => string;
  hello: (name: string) => string;
  reason: Record<OwnerAlertInput['reason'], string>;
  score: (s: NonNullable<OwnerAlertInput['score']>) => string;
  noScore: string;
  why: string;
  events: string;
  noEvents: string;
  consents: string;
  consent: (c: OwnerAlertInput['consents'][number]) => string;
  answer: (hours: number) => string;
  button: string;
  how: (id: string) => string;
  noticeSubject: (who: string) => string;
  notice: (who: string, hours: number, owner: string) => string;
  footer: (site: string) => string;
}

const num = (lang: Lang, n: number) => new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB', { maximumFractionDigits: 1 }).format(n);
const when = (ms: number) => new Date(ms).toISOString().replace(/:\d\d\.\d{3}Z$/, 'Z').replace('T', ' ');

const COPY: Record<Lang, Copy> = {
  en: {
    subject: (w) => `New lead for you: ${w}`,
    hello: (n) => `Hello ${n},`,
    reason: {
      routed: 'a lead has reached the hand-off to sales and is yours.',
      manual: 'a lead has been assigned to you.',
      reassigned: 'a lead has been passed on to you: its previous owner did not answer in time.',
    },
    score: (s) => `Score ${num('en', s.score)} (fit ${num('en', s.fit)}, engagement ${num('en', s.engagement)}), stage ${s.stage.toUpperCase()}, ${s.temperature}`,
    noScore: 'Not scored yet.',
    why: 'Why this score',
    events: 'Latest behaviour',
    noEvents: 'No tracked behaviour (the visitor did not consent to analytics, or none yet).',
    consents: 'Consents',
    consent: (c) => `${c.action === 'given' && c.granted === false ? 'declined' : c.action} ${c.purpose ?? ''}`.trim(),
    answer: (h) => `Please accept or reject it within ${h} hours; after that it goes to the next person.`,
    button: 'Accept or reject',
    how: (id) => `Or through your CRM sync, or with: lodestone leads update ${id} --status accepted (or --status rejected --reason …)`,
    noticeSubject: (w) => `Lead passed on: ${w}`,
    notice: (w, h, o) => `${w} was assigned to you and not accepted or rejected within ${h} hours, so it now goes to ${o}.`,
    footer: (s) => `Sent by Lodestone for ${s} to its sales team.`,
  },
  de: {
    subject: (w) => `Neuer Lead für Sie: ${w}`,
    hello: (n) => `Hallo ${n},`,
    reason: {
      routed: 'ein Lead hat die Übergabe an den Vertrieb erreicht und ist Ihnen zugeteilt.',
      manual: 'Ihnen wurde ein Lead zugeteilt.',
      reassigned: 'ein Lead wurde an Sie weitergegeben: Der bisherige Zuständige hat nicht rechtzeitig reagiert.',
    },
    score: (s) => `Score ${num('de', s.score)} (Fit ${num('de', s.fit)}, Engagement ${num('de', s.engagement)}), Stufe ${s.stage.toUpperCase()}, ${({ cold: 'kalt', warm: 'warm', hot: 'heiß' } as Record<string, string>)[s.temperature] ?? s.temperature}`,
    noScore: 'Noch nicht bewertet.',
    why: 'Warum dieser Score',
    events: 'Letztes Verhalten',
    noEvents: 'Kein erfasstes Verhalten (keine Einwilligung in die Analyse oder noch keines).',
    consents: 'Einwilligungen',
    consent: (c) => `${c.action === 'given' && c.granted === false ? 'abgelehnt' : ({ given: 'erteilt', confirmed: 'bestätigt', withdrawn: 'widerrufen' } as Record<string, string>)[c.action] ?? c.action} ${c.purpose ?? ''}`.trim(),
    answer: (h) => `Bitte nehmen Sie ihn innerhalb von ${h} Stunden an oder lehnen Sie ihn ab; danach geht er an die nächste Person.`,
    button: 'Annehmen oder ablehnen',
    how: (id) => `Oder über Ihre CRM-Anbindung oder mit: lodestone leads update ${id} --status accepted (oder --status rejected --reason …)`,
    noticeSubject: (w) => `Lead weitergegeben: ${w}`,
    notice: (w, h, o) => `${w} war Ihnen zugeteilt und wurde nicht innerhalb von ${h} Stunden angenommen oder abgelehnt; er geht jetzt an ${o}.`,
    footer: (s) => `Von Lodestone für ${s} an das eigene Vertriebsteam gesendet.`,
  },
};

/** "Anna, Acme GmbH <anna@acme.example>" or the address: how a lead is named to sales (mails, the answer page). */
export function who(l: Pick<OwnerAlertLead, 'firstName' | 'company' | 'email'>): string {
  const name = [l.firstName, l.company].filter(Boolean).join(', ');
  return textSafe(name ? `${name} <${l.email}>` : l.email);
}

/** Role · company · size · industry · country, as far as known. */
export function profileLine(l: Pick<OwnerAlertLead, 'role' | 'company' | 'companySize' | 'industry'> & { country?: string | null }): string {
  return textSafe([l.role, l.company, l.companySize, l.industry, l.country].filter(Boolean).join(' · '));
}

function page(lang: Lang, title: string, body: string, footer: string): string {
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>
<body style="margin:0;padding:24px;background:#f4f4f5;color:#18181b;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif">
<div style="max-width:600px;margin:0 auto;background:#ffffff;padding:24px;border-radius:8px;overflow-wrap:anywhere">
${body}
<hr style="border:0;border-top:1px solid #e4e4e7">
<p style="font-size:12px;color:#52525b">${escapeHtml(footer)}</p>
</div></body></html>
`;
}

export function renderOwnerAlert(input: OwnerAlertInput): RenderedMail {
  const c = COPY[input.lang];
  const e = escapeHtml;
  const lead = input.lead;
  const whoLine = who(lead);
  const why = input.why.slice(0, WHY_SHOWN).map((w) => `${w.points >= 0 ? '+' : ''}${num(input.lang, w.points)}  ${textSafe(w.label)}${w.count > 1 ? ` ×${w.count}` : ''}`);
  const events = input.events.slice(0, EVENTS_SHOWN).map((ev) => `${when(ev.at)}  ${textSafe(ev.kind)}  ${textSafe(ev.path)}`);
  const consents = input.consents.map((x) => `${when(x.at)}  ${c.consent(x)}`);
  const score = input.score ? c.score(input.score) : c.noScore;
  const hours = Math.max(1, Math.round(input.slaHours));
  const site = textSafe(input.siteName);

  const text = [
    c.hello(textSafe(input.ownerName)), '', c.reason[input.reason], '',
    whoLine, profileLine(lead), score, '',
    `${c.why}:`, ...(why.length ? why.map((l) => `  ${l}`) : ['  –']), '',
    `${c.events}:`, ...(events.length ? events.map((l) => `  ${l}`) : [`  ${c.noEvents}`]), '',
    `${c.consents}:`, ...consents.map((l) => `  ${l}`), '',
    c.answer(hours), `${c.button}: ${input.answerUrl}`, '', c.how(lead.id), input.leadUrl, '',
    '--', c.footer(site), '',
  ].join('\n');

  const list = (lines: string[], empty: string) =>
    lines.length ? `<ul style="padding-left:20px">${lines.map((l) => `<li>${e(l)}</li>`).join('')}</ul>` : `<p style="color:#52525b">${e(empty)}</p>`;
  const html = page(input.lang, c.subject(whoLine), `<p>${e(c.hello(textSafe(input.ownerName)))}</p>
<p>${e(c.reason[input.reason])}</p>
<p style="font-size:17px;margin-bottom:4px"><strong>${e(whoLine)}</strong></p>
<p style="margin-top:0;color:#3f3f46">${e(profileLine(lead))}</p>
<p><strong>${e(score)}</strong></p>
<h2 style="font-size:15px;margin-bottom:4px">${e(c.why)}</h2>${list(why, '–')}
<h2 style="font-size:15px;margin-bottom:4px">${e(c.events)}</h2>${list(events, c.noEvents)}
<h2 style="font-size:15px;margin-bottom:4px">${e(c.consents)}</h2>${list(consents, '–')}
<p>${e(c.answer(hours))}</p>
<p><a href="${e(input.answerUrl)}" style="display:inline-block;padding:12px 20px;background:#0b57d0;color:#ffffff;font-weight:600;text-decoration:none;border-radius:6px">${e(c.button)}</a></p>
<p style="font-size:14px;color:#3f3f46">${e(c.how(lead.id))}</p>
<p style="font-size:14px;word-break:break-all"><a href="${e(input.leadUrl)}" style="color:#0b57d0">${e(input.leadUrl)}</a></p>`, c.footer(site));
  return { subject: headerSafe(c.subject(whoLine)), text, html };
}

export function renderOwnerNotice(input: OwnerNoticeInput): RenderedMail {
  const c = COPY[input.lang];
  const whoLine = who(input.lead);
  const hours = Math.max(1, Math.round(input.slaHours));
  const line = c.notice(whoLine, hours, textSafe(input.newOwnerName));
  const site = textSafe(input.siteName);
  const text = [c.hello(textSafe(input.ownerName)), '', line, '', '--', c.footer(site), ''].join('\n');
  const html = page(input.lang, c.noticeSubject(whoLine), `<p>${escapeHtml(c.hello(textSafe(input.ownerName)))}</p>\n<p>${escapeHtml(line)}</p>`, c.footer(site));
  return { subject: headerSafe(c.noticeSubject(whoLine)), text, html };
}
