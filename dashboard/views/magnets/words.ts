/** The magnets view's words, English and German. */
const en = {
  title: 'Lead magnets',
  intro: 'What visitors get in exchange for their details (a whitepaper, a checklist), the form fields asked for, and the consent texts they agree to.',
  noMagnets: 'No lead magnet yet',
  noMagnetsText: 'A lead magnet is a file behind a short form: the visitor enters their details, agrees to the consent text, confirms by e-mail (double opt-in) and gets a signed download link. Create one with the CLI (admin token) and upload its file:',
  noMagnetsNext: 'Then put the widget on a page of your site (docs/widget.md).',
  lang: 'Language', fields: 'Form fields', required: 'required', optional: 'optional', noFields: 'e-mail only', privacy: 'Privacy policy', file: 'File',
  noFile: 'No file yet: upload one with npx lodestone magnets upload.', coupled: 'One checkbox for download and marketing', turnstile: 'Bot check (Turnstile)', yes: 'yes', no: 'no',
  consent: 'Consent to the download', marketing: 'Marketing consent (optional checkbox)', noMarketing: 'No marketing checkbox: leads of this magnet get no nurture mails.',
  current: 'In use', version: 'Version', recorded: (d: string) => `recorded ${d}`,
  history: (n: number) => (n === 1 ? 'Earlier version (1)' : `Earlier versions (${n})`), noHistory: 'No earlier versions.',
  historyNote: 'Versions are never changed or deleted: every lead’s consent names the exact words it agreed to.',
  edit: (t: string) => `Change consent texts of “${t}”`, editShort: 'Change consent texts',
  formTitle: 'New consent text version',
  formNote: 'A changed text is saved as a new version; the earlier one stays on record for the leads who agreed to it. Give the new text a new version name (a date works well).',
  text: 'Text', newVersion: 'Version name (A–Z, 0–9, . _ -)', addMarketing: 'Offer a marketing checkbox', removeMarketing: 'Remove the marketing checkbox',
  save: 'Save as new version', saving: 'Saving…', cancel: 'Cancel', saved: 'Saved. The new version is in use from now on.', unchanged: 'Nothing changed.',
  sameVersion: 'The text changed, so it needs a new version name.',
  fix: (n: number) => (n === 1 ? 'One field needs a look: see the message next to it.' : `${n} fields need a look: see the messages next to them.`),
  readOnly: 'Your API key can read this but not change it (that needs config:write).',
  fieldNames: { firstName: 'First name', company: 'Company', role: 'Role', companySize: 'Company size', industry: 'Industry', country: 'Country', phone: 'Phone' } as Record<string, string>,
};
export type MagnetWords = typeof en;
const de: MagnetWords = {
  title: 'Lead-Magnete',
  intro: 'Was Besucher im Tausch gegen ihre Angaben bekommen (ein Whitepaper, eine Checkliste), welche Formularfelder abgefragt werden und welchen Einwilligungstexten sie zustimmen.',
  noMagnets: 'Noch kein Lead-Magnet',
  noMagnetsText: 'Ein Lead-Magnet ist eine Datei hinter einem kurzen Formular: Der Besucher gibt seine Angaben ein, stimmt dem Einwilligungstext zu, bestätigt per E-Mail (Double Opt-in) und erhält einen signierten Download-Link. Legen Sie einen mit der CLI an (Admin-Token) und laden Sie seine Datei hoch:',
  noMagnetsNext: 'Binden Sie danach das Widget auf einer Seite Ihrer Website ein (docs/widget.md).',
  lang: 'Sprache', fields: 'Formularfelder', required: 'Pflicht', optional: 'optional', noFields: 'nur E-Mail', privacy: 'Datenschutzerklärung', file: 'Datei',
  noFile: 'Noch keine Datei: Laden Sie eine mit npx lodestone magnets upload hoch.', coupled: 'Ein Kästchen für Download und Marketing', turnstile: 'Bot-Prüfung (Turnstile)', yes: 'ja', no: 'nein',
  consent: 'Einwilligung zum Download', marketing: 'Marketing-Einwilligung (optionales Kästchen)', noMarketing: 'Kein Marketing-Kästchen: Leads dieses Magneten bekommen keine Nurturing-E-Mails.',
  current: 'In Verwendung', version: 'Version', recorded: (d: string) => `erfasst am ${d}`,
  history: (n: number) => (n === 1 ? 'Frühere Version (1)' : `Frühere Versionen (${n})`), noHistory: 'Keine früheren Versionen.',
  historyNote: 'Versionen werden nie geändert oder gelöscht: Die Einwilligung jedes Leads nennt genau den Wortlaut, dem er zugestimmt hat.',
  edit: (t: string) => `Einwilligungstexte ändern: „${t}“`, editShort: 'Einwilligungstexte ändern',
  formTitle: 'Neue Version des Einwilligungstexts',
  formNote: 'Ein geänderter Text wird als neue Version gespeichert; die bisherige bleibt für die Leads erhalten, die ihr zugestimmt haben. Geben Sie dem neuen Text einen neuen Versionsnamen (ein Datum eignet sich gut).',
  text: 'Text', newVersion: 'Versionsname (A–Z, 0–9, . _ -)', addMarketing: 'Marketing-Kästchen anbieten', removeMarketing: 'Marketing-Kästchen entfernen',
  save: 'Als neue Version speichern', saving: 'Wird gespeichert …', cancel: 'Abbrechen', saved: 'Gespeichert. Ab jetzt gilt die neue Version.', unchanged: 'Nichts geändert.',
  sameVersion: 'Der Text hat sich geändert und braucht deshalb einen neuen Versionsnamen.',
  fix: (n: number) => (n === 1 ? 'Ein Feld braucht Ihre Aufmerksamkeit: siehe die Meldung daneben.' : `${n} Felder brauchen Ihre Aufmerksamkeit: siehe die Meldungen daneben.`),
  readOnly: 'Ihr API-Schlüssel darf das lesen, aber nicht ändern (dafür braucht er config:write).',
  fieldNames: { firstName: 'Vorname', company: 'Firma', role: 'Rolle', companySize: 'Firmengröße', industry: 'Branche', country: 'Land', phone: 'Telefon' },
};
export const WORDS = { en, de };

export interface ConsentText { purpose: 'download' | 'marketing'; version: string; hash: string; text: string; createdAt: number }
export interface Magnet {
  id: string; title: string; description: string; lang: 'en' | 'de'; fields: { name: string; required: boolean }[];
  consent: { text: string; version: string; hash: string }; privacyUrl: string; marketing: { text: string; version: string; hash?: string } | null;
  coupled: boolean; turnstile: boolean; file: { name: string; type: string; size: number } | null; createdAt: number; updatedAt: number;
  consentTexts: ConsentText[];
}
