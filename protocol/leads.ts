/**
 * Wire types of lead capture: the magnet config the widget fetches, the body it
 * posts to POST /v1/leads and the answer. Shared by the widget and the edge so
 * that field names, choices and limits cannot drift apart.
 */

/** Languages of the widget, the mails and the confirmation pages. */
export const LANGS = ['en', 'de'] as const;
export type Lang = (typeof LANGS)[number];

/**
 * Optional form fields a magnet can ask for (e-mail is always asked and
 * required). They are the explicit scoring data: who the lead is.
 */
export const LEAD_FIELDS = ['firstName', 'company', 'role', 'companySize', 'industry'] as const;
export type LeadField = (typeof LEAD_FIELDS)[number];

/** Choices of the company size field (employees); stored as given. */
export const COMPANY_SIZES = ['1-9', '10-49', '50-249', '250-999', '1000+'] as const;
export type CompanySize = (typeof COMPANY_SIZES)[number];

export const LEAD_LIMITS = {
  /** RFC 5321 path limit. */
  emailMaxLength: 254,
  emailLocalMaxLength: 64,
  /** Free-text fields (company, role, industry). */
  textMaxLength: 100,
  firstNameMaxLength: 50,
  /** Body of POST /v1/leads: room for every field at its limit, no more. */
  bodyBytes: 16 * 1024,
  /**
   * Minimum time between the form being shown and submitted. Bots post at
   * once; people need longer to type an address and tick a box.
   */
  minFillMs: 2000,
  consentVersionMaxLength: 40,
  consentTextMaxLength: 2000,
} as const;

/** One form field of a magnet. */
export interface MagnetField {
  name: LeadField;
  required: boolean;
}

/** A consent checkbox: the exact text shown and its version. */
export interface ConsentText {
  text: string;
  version: string;
}

/**
 * GET /v1/magnets/:site/:magnet: what the widget needs to render a magnet.
 * Public by design: nothing in it is secret.
 */
export interface MagnetPublic {
  site: string;
  id: string;
  title: string;
  description: string;
  /** Language of the owner's texts (title, description, consent). */
  lang: Lang;
  fields: MagnetField[];
  /** The required checkbox: data processing to deliver the download. */
  consent: ConsentText;
  privacyUrl: string;
  /**
   * Optional, separate marketing checkbox. Absent when the magnet asks for
   * none, or when it is coupled (then `consent` covers marketing too).
   */
  marketing?: ConsentText;
  /**
   * True only when the owner chose to offer the download in exchange for
   * marketing consent; the widget then says so next to the checkbox.
   */
  coupled: boolean;
  /** Cloudflare Turnstile site key, when the magnet uses Turnstile. */
  turnstileSiteKey?: string;
  /**
   * The widget's own words in the language asked for (`?lang=`): served with
   * the config so the bundle carries no dictionaries (it stays small, and a
   * language can be added without shipping a new w.js).
   */
  ui: WidgetCopy;
}

/** The widget's own words (labels, states, errors). */
export interface WidgetCopy {
  fields: Record<'email' | LeadField, string>;
  optional: string;
  choose: string;
  employees: string;
  submit: string;
  retry: string;
  sending: string;
  done: string;
  privacy: string;
  newTab: string;
  coupled: string;
  open: string;
  close: string;
  errEmail: string;
  errRequired: string;
  errConsent: string;
  errField: string;
  errSummary: string;
  errNetwork: string;
  errReload: string;
  errTooMany: string;
  errFast: string;
  errBot: string;
  errServer: string;
}

/** Body of POST /v1/leads (JSON; sent as text/plain to skip a preflight). */
export interface LeadSubmission {
  site: string;
  magnet: string;
  email: string;
  firstName?: string;
  company?: string;
  role?: string;
  companySize?: CompanySize;
  industry?: string;
  /** The required checkbox; only `true` is accepted. */
  consent: boolean;
  /** Version of the consent text the visitor saw. */
  consentVersion: string;
  /** The optional marketing checkbox, when the magnet shows one. */
  marketing?: boolean;
  /** Page the form was on. */
  url: string;
  /** Language the visitor saw the form in; the mail uses it too. */
  lang: Lang;
  /** Visitor id of the snippet, when tracking is consented. */
  vid?: string;
  /** Honeypot: a field people never see; must be empty. */
  hp?: string;
  /** Milliseconds between the form being shown and submitted. */
  elapsedMs: number;
  /** Turnstile token, when the magnet uses Turnstile. */
  turnstile?: string;
}

/**
 * 202 answer of POST /v1/leads. The same for new and known addresses, and
 * whether or not a mail was sent this time: it reveals nothing.
 */
export interface LeadAccepted {
  status: 'check_inbox';
}

/**
 * Event kinds only the edge writes (never accepted by POST /v1/collect), so a
 * browser cannot forge a confirmed opt-in or a gated download.
 */
export const SERVER_EVENT_KINDS = ['optin_confirmed', 'optin_withdrawn', 'magnet_download', 'mail_click'] as const;
export type ServerEventKind = (typeof SERVER_EVENT_KINDS)[number];
