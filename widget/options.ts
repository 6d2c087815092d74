/**
 * Placement options from the element's data attributes. Pure.
 *
 *   data-lodestone-magnet="ID"    the magnet (required)
 *   data-mode="inline|modal|slidein"
 *   data-label="…"                text of the modal's opening button
 *   data-scroll="50"              slide-in: after scrolling 50 % of the page
 *   data-delay="20"               slide-in: after 20 seconds
 *   data-exit-intent              slide-in: when the pointer leaves towards the tabs
 *   data-cap="7"                  slide-in: show at most once in 7 days (0: every page view)
 *   data-lang="de|en"             overrides <html lang>
 *   data-site, data-api           override the site id / API origin of the script tag
 */
export type Mode = 'inline' | 'modal' | 'slidein';

export interface Options {
  magnet: string;
  mode: Mode;
  label?: string;
  scroll?: number;
  delay?: number;
  exit: boolean;
  capDays: number;
}

const num = (s: string | undefined) => (s && isFinite(+s) && +s >= 0 ? +s : undefined);

export function readOptions(data: Record<string, string | undefined>): Options {
  const mode = data.mode === 'modal' || data.mode === 'slidein' ? data.mode : 'inline';
  const o: Options = {
    magnet: data.lodestoneMagnet || '',
    mode,
    label: data.label,
    scroll: num(data.scroll),
    delay: num(data.delay),
    exit: data.exitIntent != null,
    capDays: num(data.cap) ?? 7,
  };
  // A slide-in without a trigger would never show: default to half the page.
  if (mode == 'slidein' && o.scroll == null && o.delay == null && !o.exit) o.scroll = 50;
  return o;
}

/** Frequency cap: whether a slide-in last shown at `last` (epoch ms) may show again. */
export function capAllows(last: number, now: number, capDays: number): boolean {
  return !(last > 0) || now - last >= capDays * 86_400_000;
}

/** Scrolled share of the page, 0–100. */
export function scrolledPercent(scrollY: number, viewport: number, height: number): number {
  const range = height - viewport;
  return range > 0 ? Math.min(100, (scrollY / range) * 100) : 100;
}
