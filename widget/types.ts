import type { Lang, MagnetPublic, WidgetCopy } from '../protocol/leads';

/** What every part of one mounted widget knows. */
export interface Ctx {
  /** Origin of the edge API. */
  api: string;
  site: string;
  /** Language of the widget's own words. */
  lang: Lang;
  /** The widget's words (cfg.ui). */
  t: WidgetCopy;
  cfg: MagnetPublic;
  /** The page element the widget renders into (its shadow host). */
  host: HTMLElement;
}
