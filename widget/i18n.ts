import type { Lang } from '../protocol/leads';

/**
 * The widget's language: an explicit `data-lang` wins, else the page's
 * `<html lang>`; German for any "de" tag (de, de-AT, de-CH), English otherwise.
 * The words themselves come with the magnet config (see WidgetCopy).
 */
export function pickLang(override: string | null | undefined, htmlLang: string | null | undefined): Lang {
  const tag = (override || htmlLang || '').toLowerCase();
  return /^de\b/.test(tag) ? 'de' : 'en';
}
