/** The webhooks view's words (webhooks.tsx and its parts), English and German. */
const en = {
  title: 'Webhooks',
  intro: 'Webhooks send lead events (confirmed, stage changed, withdrawn, assigned, sales status) to your CRM or automation, signed, as they happen.',
  endpoints: 'Endpoints', url: 'URL', description: 'Description', events: 'Events', segment: 'Segment', allLeads: 'every lead', enabled: 'Enabled', state: 'State',
  on: 'on', off: 'paused', actions: 'Actions',
  noEndpoints: 'No webhook endpoint yet',
  noEndpointsText: 'A webhook is a URL of yours that Lodestone calls whenever a lead event happens, e.g. when a lead reaches SQL, so your CRM gets it without polling. Each request is signed (Standard Webhooks), retried for up to 72 hours, and kept here with its attempts.',
  noEndpointsNext: 'Add one with the form below, or with the CLI:',
  noEndpointsReadOnly: 'Ask someone with a key that may change configuration (config:write) to add one.',
  add: 'Add an endpoint', edit: (u: string) => `Edit ${u}`, remove: (u: string) => `Delete ${u}`, editShort: 'Edit', removeShort: 'Delete',
  newEndpoint: 'New endpoint', editEndpoint: 'Edit endpoint',
  urlHint: 'https://… (http only to localhost in local development)', descriptionHint: 'Optional, for you: which system this is.',
  eventsLegend: 'Events to send', segmentHint: 'Only leads in this saved segment (checked at the first attempt); others are recorded as cancelled.',
  enabledLabel: 'Enabled: send events to this endpoint',
  save: 'Save', saving: 'Saving…', cancel: 'Cancel', saved: 'Saved.', removed: 'Endpoint deleted.',
  secretTitle: 'Signing secret: copy it now, it is shown only once',
  secretText: 'Your receiver verifies each request with this secret (headers webhook-id, webhook-timestamp, webhook-signature).',
  confirmTitle: 'Delete this endpoint?', confirmText: (u: string) => `${u} will get no more events. Deliveries already recorded stay in the log.`, confirmDelete: 'Delete endpoint',
  fix: (n: number) => (n === 1 ? 'One field needs a look: see the message next to it.' : `${n} fields need a look: see the messages next to them.`),
  readOnly: 'Your API key can read this but not change it (that needs config:write).',
  eventNames: {
    'lead.confirmed': 'Lead confirmed (double opt-in)', 'lead.stage_changed': 'Stage changed (MQL, SQL)', 'lead.withdrawn': 'Consent withdrawn',
    'lead.assigned': 'Assigned to an owner', 'lead.status_changed': 'Sales status changed',
  } as Record<string, string>,
  // Deliveries
  deliveries: 'Recent deliveries', status: 'Status', all: 'All', created: 'Created', type: 'Event', lead: 'Lead', endpoint: 'Endpoint', attempts: 'Attempts', last: 'Last answer',
  statuses: { pending: 'Pending', delivered: 'Delivered', dead: 'Dead', cancelled: 'Cancelled' } as Record<string, string>,
  noDeliveries: 'No deliveries yet', noDeliveriesText: 'Deliveries appear here when a lead event happens for an enabled endpoint.',
  noDeliveriesFiltered: 'No delivery with this status.',
  nextAttempt: (d: string) => `next attempt ${d}`,
  older: 'Show older deliveries',
  dead: 'Dead letters', deadNote: 'These messages failed for good: the receiver refused them (a 4xx or a redirect) or 72 hours of retries ran out. Fix the receiver, then replay: the same id and the same bytes are sent again.',
  noDead: 'No dead letters: every message was delivered, is still being retried or was cancelled.',
  replay: 'Replay', replayOf: (id: string) => `Replay ${id}`, replaying: 'Replaying…',
  replayQueued: (id: string) => `${id} is queued again; waiting for the answer…`,
  replayDelivered: (id: string, code: string) => `${id} was delivered (HTTP ${code}).`,
  replayFailed: (id: string, what: string) => `${id} failed again: ${what}. It is in the list below.`,
  replayPending: (id: string) => `${id} is queued; the receiver has not answered yet. Reload the list in a moment.`,
  reload: 'Reload',
};
export type WebhookWords = typeof en;
const de: WebhookWords = {
  title: 'Webhooks',
  intro: 'Webhooks senden Lead-Ereignisse (bestätigt, Stufe geändert, widerrufen, zugewiesen, Vertriebsstatus) signiert und sofort an Ihr CRM oder Ihre Automatisierung.',
  endpoints: 'Endpunkte', url: 'URL', description: 'Beschreibung', events: 'Ereignisse', segment: 'Segment', allLeads: 'alle Leads', enabled: 'Aktiv', state: 'Stand',
  on: 'aktiv', off: 'pausiert', actions: 'Aktionen',
  noEndpoints: 'Noch kein Webhook-Endpunkt',
  noEndpointsText: 'Ein Webhook ist eine URL von Ihnen, die Lodestone bei jedem Lead-Ereignis aufruft, etwa wenn ein Lead SQL erreicht. So bekommt Ihr CRM ihn, ohne abzufragen. Jede Anfrage ist signiert (Standard Webhooks), wird bis zu 72 Stunden wiederholt und bleibt hier mit ihren Versuchen sichtbar.',
  noEndpointsNext: 'Legen Sie einen mit dem Formular unten an oder mit der CLI:',
  noEndpointsReadOnly: 'Bitten Sie jemanden mit einem Schlüssel, der die Konfiguration ändern darf (config:write), einen anzulegen.',
  add: 'Endpunkt hinzufügen', edit: (u: string) => `${u} bearbeiten`, remove: (u: string) => `${u} löschen`, editShort: 'Bearbeiten', removeShort: 'Löschen',
  newEndpoint: 'Neuer Endpunkt', editEndpoint: 'Endpunkt bearbeiten',
  urlHint: 'https://… (http nur zu localhost in der lokalen Entwicklung)', descriptionHint: 'Optional, für Sie: welches System das ist.',
  eventsLegend: 'Zu sendende Ereignisse', segmentHint: 'Nur Leads in diesem gespeicherten Segment (geprüft beim ersten Versuch); die anderen werden als abgebrochen vermerkt.',
  enabledLabel: 'Aktiv: Ereignisse an diesen Endpunkt senden',
  save: 'Speichern', saving: 'Wird gespeichert …', cancel: 'Abbrechen', saved: 'Gespeichert.', removed: 'Endpunkt gelöscht.',
  secretTitle: 'Signaturschlüssel: Kopieren Sie ihn jetzt, er wird nur einmal angezeigt',
  secretText: 'Ihr Empfänger prüft jede Anfrage mit diesem Schlüssel (Header webhook-id, webhook-timestamp, webhook-signature).',
  confirmTitle: 'Diesen Endpunkt löschen?', confirmText: (u: string) => `${u} bekommt keine Ereignisse mehr. Bereits erfasste Zustellungen bleiben im Protokoll.`, confirmDelete: 'Endpunkt löschen',
  fix: (n: number) => (n === 1 ? 'Ein Feld braucht Ihre Aufmerksamkeit: siehe die Meldung daneben.' : `${n} Felder brauchen Ihre Aufmerksamkeit: siehe die Meldungen daneben.`),
  readOnly: 'Ihr API-Schlüssel darf das lesen, aber nicht ändern (dafür braucht er config:write).',
  eventNames: {
    'lead.confirmed': 'Lead bestätigt (Double Opt-in)', 'lead.stage_changed': 'Stufe geändert (MQL, SQL)', 'lead.withdrawn': 'Einwilligung widerrufen',
    'lead.assigned': 'Einem Verantwortlichen zugewiesen', 'lead.status_changed': 'Vertriebsstatus geändert',
  },
  deliveries: 'Letzte Zustellungen', status: 'Status', all: 'Alle', created: 'Erstellt', type: 'Ereignis', lead: 'Lead', endpoint: 'Endpunkt', attempts: 'Versuche', last: 'Letzte Antwort',
  statuses: { pending: 'Ausstehend', delivered: 'Zugestellt', dead: 'Endgültig fehlgeschlagen', cancelled: 'Abgebrochen' },
  noDeliveries: 'Noch keine Zustellungen', noDeliveriesText: 'Zustellungen erscheinen hier, sobald für einen aktiven Endpunkt ein Lead-Ereignis eintritt.',
  noDeliveriesFiltered: 'Keine Zustellung mit diesem Status.',
  nextAttempt: (d: string) => `nächster Versuch ${d}`,
  older: 'Ältere Zustellungen anzeigen',
  dead: 'Endgültig fehlgeschlagen', deadNote: 'Diese Nachrichten sind endgültig gescheitert: Der Empfänger hat sie abgelehnt (4xx oder Weiterleitung) oder 72 Stunden Wiederholungen sind abgelaufen. Beheben Sie den Fehler beim Empfänger und senden Sie sie dann erneut: Dieselbe ID und derselbe Inhalt gehen noch einmal hinaus.',
  noDead: 'Keine endgültig fehlgeschlagenen Nachrichten: Alle wurden zugestellt, werden noch wiederholt oder wurden abgebrochen.',
  replay: 'Erneut senden', replayOf: (id: string) => `${id} erneut senden`, replaying: 'Wird gesendet …',
  replayQueued: (id: string) => `${id} ist wieder eingereiht; warte auf die Antwort …`,
  replayDelivered: (id: string, code: string) => `${id} wurde zugestellt (HTTP ${code}).`,
  replayFailed: (id: string, what: string) => `${id} ist erneut fehlgeschlagen: ${what}. Sie finden die Nachricht in der Liste unten.`,
  replayPending: (id: string) => `${id} ist eingereiht; der Empfänger hat noch nicht geantwortet. Laden Sie die Liste gleich neu.`,
  reload: 'Neu laden',
};
export const WORDS = { en, de };

export const EVENT_TYPES = ['lead.confirmed', 'lead.stage_changed', 'lead.withdrawn', 'lead.assigned', 'lead.status_changed'] as const;
export const DEFAULT_EVENTS = ['lead.confirmed', 'lead.stage_changed', 'lead.withdrawn'];

export interface Endpoint { id: string; url: string; description: string | null; events: string[]; enabled: boolean; segment?: string | null; createdAt: number; updatedAt: number }
export interface Delivery {
  id: string; seq: number; endpointId: string; leadId: string; type: string; status: 'pending' | 'delivered' | 'dead' | 'cancelled';
  change: { from?: string; to?: string }; attempts: number; nextAttemptAt: number | null; lastStatus: number | null; lastError: string | null;
  lastAttemptAt: number | null; deliveredAt: number | null; createdAt: number; updatedAt: number;
}
export interface Segment { id: string; name: string }
