import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/**
 * German and English. The browser's language picks one at first; the
 * switch in the header keeps the choice for this browser. Every view holds
 * its own words (`{ en, de }` of the same shape), so a view and its texts
 * are read together and loaded together.
 */
export type Lang = 'en' | 'de';
const STORAGE_KEY = 'lodestone.dashboard.lang';

export function initialLang(): Lang {
  try {
    const kept = localStorage.getItem(STORAGE_KEY);
    if (kept === 'de' || kept === 'en') return kept;
  } catch {
    // Storage blocked: fall through to the browser's language.
  }
  return /^de\b/i.test(navigator.language || '') ? 'de' : 'en';
}

export function keepLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not kept; the choice still holds for this page.
  }
  document.documentElement.lang = lang;
}

export const LangContext = createContext<Lang>('en');

/** The current language's half of a view's words. */
export function useWords<T>(words: { en: T; de: T }): T {
  return words[useContext(LangContext)];
}

export function useLang(): Lang {
  return useContext(LangContext);
}

const LOCALE: Record<Lang, string> = { en: 'en-GB', de: 'de-DE' };

const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** One Intl formatter per locale and options: making one costs far more than using it, and a view formats hundreds of values. */
function numberFormat(locale: string, o: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale} ${JSON.stringify(o)}`;
  let f = numberFormats.get(key);
  if (!f) numberFormats.set(key, (f = new Intl.NumberFormat(locale, o)));
  return f;
}

function dateFormat(locale: string, o: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale} ${JSON.stringify(o)}`;
  let f = dateFormats.get(key);
  if (!f) dateFormats.set(key, (f = new Intl.DateTimeFormat(locale, o)));
  return f;
}

const known = (n: number | null | undefined): n is number => n !== null && n !== undefined && Number.isFinite(n);

/** Locale-aware formatters; dates in the viewer's own time zone. */
export function useFormat() {
  const locale = LOCALE[useLang()];
  const at = (d: string | number) => new Date(d);
  return {
    number: (n: number | null | undefined, digits = 0) =>
      known(n) ? numberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n) : '–',
    percent: (n: number | null | undefined, digits = 0) =>
      known(n) ? numberFormat(locale, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n) : '–',
    money: (n: number, currency: string) => numberFormat(locale, { style: 'currency', currency, maximumFractionDigits: 0 }).format(n),
    date: (d: string | number | null | undefined) => (d === null || d === undefined ? '–' : dateFormat(locale, { dateStyle: 'medium' }).format(at(d))),
    dateTime: (d: string | number | null | undefined) =>
      d === null || d === undefined ? '–' : dateFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(at(d)),
    /** A UTC calendar day (YYYY-MM-DD) as a short local label. */
    day: (d: string) => dateFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(at(`${d}T12:00:00Z`)),
    duration: (ms: number | null | undefined) => {
      if (ms === null || ms === undefined) return '–';
      const h = ms / 3_600_000;
      const whole = numberFormat(locale, {});
      return h < 48 ? `${whole.format(Math.round(h))} h` : `${whole.format(Math.round(h / 24))} d`;
    },
  };
}
