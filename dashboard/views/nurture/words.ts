/** The nurture view's words, English and German. */
const en = {
  title: 'Nurture',
  intro: 'Sequences of mails that keep confirmed leads warm until they are ready for sales. Only leads with marketing consent get them; a lead that reaches the hand-off leaves.',
  noSequences: 'No nurture sequence yet',
  noSequencesText: 'A sequence is a JSON document: a trigger (e.g. the download of a magnet), then steps: send a mail, wait, branch on behaviour, exit. docs/nurture.md describes every field. Save one with the CLI:',
  noSequencesNext: 'It appears here with its numbers as soon as it is saved.',
  status: { active: 'Active', paused: 'Paused' } as Record<string, string>,
  version: (n: string) => `Version ${n}`, saved: (d: string) => `saved ${d}`,
  trigger: 'Starts when', triggers: {
    confirmed: () => 'a lead confirms its opt-in', download: (m: string) => `a lead downloads “${m}”`, stage: (s: string) => `a lead reaches ${s.toUpperCase()}`,
    inactive: (d: string) => `a lead has been inactive for ${d} days`, cold: () => 'a lead turns cold',
  },
  entered: 'Entered', active: 'In the sequence', completed: 'Completed', reachedMql: 'Reached MQL', reachedSql: 'Reached SQL',
  steps: 'Steps', step: 'Step', type: 'Type', what: 'What it does', sent: 'Sent', clicked: 'Clicked', clickRate: 'Click rate', failed: 'Failed', unsubscribed: 'Unsubscribed', exited: 'Exits here', waiting: 'Waiting here',
  types: { send: 'Mail', wait: 'Wait', branch: 'Branch', exit: 'Exit' } as Record<string, string>,
  sendWhat: (t: string) => `sends the mail “${t}”`, waitWhat: (d: string) => `waits ${d}`, windowWhat: (days: string, from: string, to: string) => `, then on ${days} between ${from} and ${to}`,
  branchWhat: (a: string, b: string) => `if the condition holds → ${a}, else → ${b}`, exitWhat: 'ends the sequence', formerStep: 'a step of an older version',
  days: (n: number) => (n === 1 ? '1 day' : `${n} days`), hoursN: (n: number) => (n === 1 ? '1 hour' : `${n} hours`),
  sentChart: 'Mails sent and clicked per step',
  noOpens: 'Opens are not tracked: Lodestone sends no tracking pixel (privacy, and Apple Mail Privacy Protection makes open rates meaningless). Clicks are the signal.',
  exits: 'Why leads left', noExits: 'No lead has left this sequence early.',
  reasons: {
    handoff: 'Handed to sales', withdrawn: 'Withdrew consent', unsubscribed: 'Unsubscribed', bounced: 'Mail bounced', complained: 'Spam complaint',
    not_mailable: 'No longer mailable', exit_step: 'Reached an exit step', sequence_changed: 'Step removed by a new version',
  } as Record<string, string>,
  settings: 'Sending rules', minGap: 'At most one nurture mail per lead within', sendRate: 'Send rate', timeZone: 'Time zone for send windows',
  hours: (n: string) => `${n} hours`, perMinute: (n: string) => `${n} mails per minute`, defaultNote: 'Change these with the API (PUT /v1/nurture-settings) or the CLI.',
  statsFailed: 'The numbers of this sequence could not be loaded.',
};
export type NurtureWords = typeof en;
const de: NurtureWords = {
  title: 'Nurturing',
  intro: 'E-Mail-Strecken, die bestätigte Leads warm halten, bis sie bereit für den Vertrieb sind. Nur Leads mit Marketing-Einwilligung bekommen sie; wer die Übergabe erreicht, verlässt die Strecke.',
  noSequences: 'Noch keine Nurturing-Strecke',
  noSequencesText: 'Eine Strecke ist ein JSON-Dokument: ein Auslöser (etwa der Download eines Lead-Magneten), dann Schritte: E-Mail senden, warten, nach Verhalten verzweigen, beenden. docs/nurture.md beschreibt jedes Feld. Speichern Sie eine mit der CLI:',
  noSequencesNext: 'Sie erscheint hier mit ihren Zahlen, sobald sie gespeichert ist.',
  status: { active: 'Aktiv', paused: 'Pausiert' },
  version: (n: string) => `Version ${n}`, saved: (d: string) => `gespeichert am ${d}`,
  trigger: 'Beginnt, wenn', triggers: {
    confirmed: () => 'ein Lead sein Opt-in bestätigt', download: (m: string) => `ein Lead „${m}“ herunterlädt`, stage: (s: string) => `ein Lead ${s.toUpperCase()} erreicht`,
    inactive: (d: string) => `ein Lead ${d} Tage inaktiv war`, cold: () => 'ein Lead kalt wird',
  },
  entered: 'Eingetreten', active: 'In der Strecke', completed: 'Abgeschlossen', reachedMql: 'MQL erreicht', reachedSql: 'SQL erreicht',
  steps: 'Schritte', step: 'Schritt', type: 'Art', what: 'Was er tut', sent: 'Gesendet', clicked: 'Geklickt', clickRate: 'Klickrate', failed: 'Fehlgeschlagen', unsubscribed: 'Abgemeldet', exited: 'Hier ausgestiegen', waiting: 'Warten hier',
  types: { send: 'E-Mail', wait: 'Warten', branch: 'Verzweigung', exit: 'Ende' },
  sendWhat: (t: string) => `sendet die E-Mail „${t}“`, waitWhat: (d: string) => `wartet ${d}`, windowWhat: (days: string, from: string, to: string) => `, dann ${days} zwischen ${from} und ${to} Uhr`,
  branchWhat: (a: string, b: string) => `wenn die Bedingung zutrifft → ${a}, sonst → ${b}`, exitWhat: 'beendet die Strecke', formerStep: 'ein Schritt einer älteren Version',
  days: (n: number) => (n === 1 ? '1 Tag' : `${n} Tage`), hoursN: (n: number) => (n === 1 ? '1 Stunde' : `${n} Stunden`),
  sentChart: 'Gesendete und geklickte E-Mails pro Schritt',
  noOpens: 'Öffnungen werden nicht gemessen: Lodestone verschickt kein Zählpixel (Datenschutz, und Apple Mail Privacy Protection macht Öffnungsraten bedeutungslos). Klicks sind das Signal.',
  exits: 'Warum Leads ausgestiegen sind', noExits: 'Kein Lead hat diese Strecke vorzeitig verlassen.',
  reasons: {
    handoff: 'An den Vertrieb übergeben', withdrawn: 'Einwilligung widerrufen', unsubscribed: 'Abgemeldet', bounced: 'E-Mail unzustellbar', complained: 'Spam-Beschwerde',
    not_mailable: 'Nicht mehr anschreibbar', exit_step: 'Ende-Schritt erreicht', sequence_changed: 'Schritt in neuer Version entfernt',
  },
  settings: 'Versandregeln', minGap: 'Höchstens eine Nurturing-E-Mail pro Lead innerhalb von', sendRate: 'Versandrate', timeZone: 'Zeitzone der Versandfenster',
  hours: (n: string) => `${n} Stunden`, perMinute: (n: string) => `${n} E-Mails pro Minute`, defaultNote: 'Ändern Sie diese über die API (PUT /v1/nurture-settings) oder die CLI.',
  statsFailed: 'Die Zahlen dieser Strecke ließen sich nicht laden.',
};
export const WORDS = { en, de };

export const WEEKDAYS: Record<'en' | 'de', Record<string, string>> = {
  en: { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' },
  de: { mon: 'Mo', tue: 'Di', wed: 'Mi', thu: 'Do', fri: 'Fr', sat: 'Sa', sun: 'So' },
};
