import type { ComponentType } from 'preact';
import type { ViewProps } from './views';

import { filtersOf, funnelPath, periodOf } from './views/overview/requests';

type Loader = () => Promise<{ default: ComponentType<ViewProps> }>;

/**
 * The views, each its own chunk: the dashboard loads a view's code when it
 * is first opened. `scope`: the key needs it for the view to be listed.
 * `firstRequests`: the GETs the view sends first, which the entry sends at
 * boot already (api.ts prefetch), alongside the session check.
 */
export const VIEWS: { id: string; load: Loader; scope?: string; firstRequests?: (params: URLSearchParams) => string[] }[] = [
  {
    id: 'overview',
    load: () => import('./views/overview'),
    firstRequests: (params) => {
      const f = filtersOf(params);
      return [funnelPath({ ...periodOf(f.days), magnet: f.magnet, source: f.source })];
    },
  },
  { id: 'leads', load: () => import('./views/leads') },
  { id: 'scoring', load: () => import('./views/scoring') },
  { id: 'sales', load: () => import('./views/sales') },
  { id: 'webhooks', load: () => import('./views/webhooks') },
  { id: 'nurture', load: () => import('./views/nurture') },
  { id: 'magnets', load: () => import('./views/magnets') },
];

/** The view of an id; an unknown id opens the overview. */
export const viewOf = (id: string) => VIEWS.find((v) => v.id === id) ?? VIEWS[0]!;

const pending = new Map<string, ReturnType<Loader>>();
const ready = new Map<string, ComponentType<ViewProps>>();

/** A view whose chunk has already arrived, for a first render without waiting a turn. */
export const loadedView = (id: string): ComponentType<ViewProps> | undefined => ready.get(viewOf(id).id);

/**
 * A view's module, fetched once. The entry asks for the opened view at
 * boot, so its chunk travels alongside the session check instead of after
 * it; a failed fetch is forgotten, and opening the view again retries.
 */
export function loadView(id: string): ReturnType<Loader> {
  const entry = viewOf(id);
  let p = pending.get(entry.id);
  if (!p) {
    p = entry.load();
    pending.set(entry.id, p);
    p.then((m) => ready.set(entry.id, m.default), () => undefined);
    p.catch(() => pending.delete(entry.id));
  }
  return p;
}

export const NAV_WORDS = {
  en: { overview: 'Overview', leads: 'Leads', scoring: 'Scoring', sales: 'Sales', webhooks: 'Webhooks', nurture: 'Nurture', magnets: 'Magnets' },
  de: { overview: 'Überblick', leads: 'Leads', scoring: 'Scoring', sales: 'Vertrieb', webhooks: 'Webhooks', nurture: 'Nurturing', magnets: 'Lead-Magnete' },
};
