/** The sales view's words (sales.tsx and its parts), English and German. */
const en = {
  title: 'Sales',
  intro: 'Who gets the leads that reach the hand-off, and which of them still wait for an answer from their owner.',
  kpiWaiting: 'Waiting for an answer', kpiOverdue: 'Deadline missed', kpiOwners: 'Active owners', kpiDeadline: 'Time to answer',
  hours: (n: string) => `${n} h`,
  missed: 'Deadline missed', missedNote: 'These owners did not accept or reject in time. The next cron run (every 5 minutes) passes each lead to the next owner; with nobody else the deadline moves on.',
  waiting: 'Waiting for acceptance', waitingNote: 'Handed off and assigned, not yet accepted or rejected.',
  noWaiting: 'No lead is waiting for an answer.', noWaitingNext: 'Leads appear here when they reach the hand-off stage and get an owner. Owners answer with the button in their alert mail.',
  noMissed: 'No deadline missed.',
  lead: 'Lead', owner: 'Owner', assigned: 'Assigned', deadline: 'Deadline', state: 'State',
  overdueBy: (d: string) => `overdue by ${d}`, dueIn: (d: string) => `due in ${d}`, noDeadline: 'no deadline',
  more: 'More leads wait than are listed here (at most 200); open the lead list filtered by sales status “open”.',
  openList: 'Open these leads in the lead list',
  // Owners
  owners: 'Owners and routing', ownersNote: 'Leads that reach the hand-off go to the active owner whose territory matches and who is furthest behind their share (weight). Fallback owners take the rest.',
  name: 'Name', email: 'E-mail', lang: 'Mail language', weight: 'Weight', territory: 'Territory', active: 'Active', fallback: 'Fallback', assignedCount: 'Leads assigned',
  yes: 'yes', no: 'no', everywhere: 'everywhere', countries: 'Countries', industries: 'Industries', size: 'Employees',
  noOwners: 'No sales owners yet', noOwnersText: 'Without owners, leads wait unassigned at the hand-off. Add your sales team here, or with the CLI:',
  editTeam: 'Edit the team', addOwner: 'Add an owner', removeOwner: (n: string) => `Remove ${n}`, removeNote: 'An owner removed from the list is kept inactive: leads and their history still name them.',
  ownerN: (n: number, name: string) => `Owner ${n}${name ? `: ${name}` : ''}`,
  id: 'ID (letters, digits, - and _)', countriesHint: 'ISO codes, comma-separated, e.g. DE, AT, CH', industriesHint: 'Keywords, comma-separated; soft* matches software',
  langEn: 'English', langDe: 'German',
  save: 'Save', saving: 'Saving…', cancel: 'Cancel', saved: 'Saved.',
  fix: (n: number) => (n === 1 ? 'One field needs a look: see the message next to it.' : `${n} fields need a look: see the messages next to them.`),
  readOnly: 'Your API key can read this but not change it (that needs config:write).',
  // Settings
  settings: 'Hand-off settings', handoffStage: 'Hand over at stage', slaHours: 'Hours to accept or reject', rejectReasons: 'Reasons to reject', lostReasons: 'Reasons a deal is lost',
  reasonsHint: 'Comma-separated slugs, e.g. no_budget, competitor', default: 'default', own: 'set for this site',
  editSettings: 'Change settings',
};
export type SalesWords = typeof en;
const de: SalesWords = {
  title: 'Vertrieb',
  intro: 'Wer die Leads bekommt, die die Übergabe erreichen, und welche davon noch auf eine Antwort ihres Verantwortlichen warten.',
  kpiWaiting: 'Warten auf Antwort', kpiOverdue: 'Frist verpasst', kpiOwners: 'Aktive Verantwortliche', kpiDeadline: 'Antwortfrist',
  hours: (n: string) => `${n} Std.`,
  missed: 'Frist verpasst', missedNote: 'Diese Verantwortlichen haben nicht rechtzeitig angenommen oder abgelehnt. Der nächste Cron-Lauf (alle 5 Minuten) gibt jeden Lead an den nächsten Verantwortlichen weiter; gibt es niemanden sonst, verlängert sich die Frist.',
  waiting: 'Warten auf Annahme', waitingNote: 'Übergeben und zugewiesen, noch nicht angenommen oder abgelehnt.',
  noWaiting: 'Kein Lead wartet auf eine Antwort.', noWaitingNext: 'Leads erscheinen hier, sobald sie die Übergabestufe erreichen und einen Verantwortlichen bekommen. Verantwortliche antworten über die Schaltfläche in ihrer Benachrichtigung.',
  noMissed: 'Keine Frist verpasst.',
  lead: 'Lead', owner: 'Zuständig', assigned: 'Zugewiesen', deadline: 'Frist', state: 'Stand',
  overdueBy: (d: string) => `seit ${d} überfällig`, dueIn: (d: string) => `fällig in ${d}`, noDeadline: 'keine Frist',
  more: 'Es warten mehr Leads als hier angezeigt (höchstens 200); öffnen Sie die Lead-Liste mit dem Vertriebsstatus „offen“.',
  openList: 'Diese Leads in der Lead-Liste öffnen',
  owners: 'Verantwortliche und Verteilung', ownersNote: 'Leads, die die Übergabe erreichen, gehen an den aktiven Verantwortlichen, dessen Gebiet passt und der am weitesten hinter seinem Anteil (Gewicht) liegt. Vertretungen übernehmen den Rest.',
  name: 'Name', email: 'E-Mail', lang: 'Sprache der E-Mails', weight: 'Gewicht', territory: 'Gebiet', active: 'Aktiv', fallback: 'Vertretung', assignedCount: 'Zugewiesene Leads',
  yes: 'ja', no: 'nein', everywhere: 'überall', countries: 'Länder', industries: 'Branchen', size: 'Mitarbeitende',
  noOwners: 'Noch keine Verantwortlichen im Vertrieb', noOwnersText: 'Ohne Verantwortliche warten Leads bei der Übergabe ohne Zuweisung. Legen Sie Ihr Vertriebsteam hier an oder mit der CLI:',
  editTeam: 'Team bearbeiten', addOwner: 'Verantwortlichen hinzufügen', removeOwner: (n: string) => `${n} entfernen`, removeNote: 'Wer aus der Liste entfernt wird, bleibt inaktiv erhalten: Leads und ihr Verlauf nennen ihn weiterhin.',
  ownerN: (n: number, name: string) => `Verantwortliche(r) ${n}${name ? `: ${name}` : ''}`,
  id: 'ID (Buchstaben, Ziffern, - und _)', countriesHint: 'ISO-Codes, durch Kommas getrennt, z. B. DE, AT, CH', industriesHint: 'Stichwörter, durch Kommas getrennt; soft* passt auf Software',
  langEn: 'Englisch', langDe: 'Deutsch',
  save: 'Speichern', saving: 'Wird gespeichert …', cancel: 'Abbrechen', saved: 'Gespeichert.',
  fix: (n: number) => (n === 1 ? 'Ein Feld braucht Ihre Aufmerksamkeit: siehe die Meldung daneben.' : `${n} Felder brauchen Ihre Aufmerksamkeit: siehe die Meldungen daneben.`),
  readOnly: 'Ihr API-Schlüssel darf das lesen, aber nicht ändern (dafür braucht er config:write).',
  settings: 'Einstellungen der Übergabe', handoffStage: 'Übergabe ab Stufe', slaHours: 'Stunden zum Annehmen oder Ablehnen', rejectReasons: 'Gründe für eine Ablehnung', lostReasons: 'Gründe für einen verlorenen Abschluss',
  reasonsHint: 'Kürzel, durch Kommas getrennt, z. B. no_budget, competitor', default: 'Standard', own: 'für diese Website festgelegt',
  editSettings: 'Einstellungen ändern',
};
export const WORDS = { en, de };

/** "DE, AT" → ['DE', 'AT']; empty parts dropped. */
export const splitList = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
