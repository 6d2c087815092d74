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

/** Locale-aware formatters; dates in the viewer's own time zone. */
export function useFormat() {
  const locale = LOCALE[useLang()];
  return {
    number: (n: number | null | undefined, digits = 0) =>
      n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toLocaleString(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits }),
    percent: (n: number | null | undefined, digits = 0) =>
      n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toLocaleString(locale, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }),
    money: (n: number, currency: string) => n.toLocaleString(locale, { style: 'currency', currency, maximumFractionDigits: 0 }),
    date: (d: string | number | null | undefined) => (d === null || d === undefined ? '–' : new Date(d).toLocaleDateString(locale, { dateStyle: 'medium' })),
    dateTime: (d: string | number | null | undefined) =>
      d === null || d === undefined ? '–' : new Date(d).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' }),
    /** A UTC calendar day (YYYY-MM-DD) as a short local label. */
    day: (d: string) => new Date(`${d}T12:00:00Z`).toLocaleDateString(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' }),
    duration: (ms: number | null | undefined) => {
      if (ms === null || ms === undefined) return '–';
      const h = ms / 3_600_000;
      return h < 48 ? `${Math.round(h).toLocaleString(locale)} h` : `${Math.round(h / 24).toLocaleString(locale)} d`;
    },
  };
}
