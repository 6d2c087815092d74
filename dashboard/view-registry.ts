import type { ComponentType } from 'preact';
import type { ViewProps } from './views';

type Loader = () => Promise<{ default: ComponentType<ViewProps> }>;

/**
 * The views, each its own chunk: the dashboard loads a view's code when it
 * is first opened. `scope`: the key needs it for the view to be listed.
 */
export const VIEWS: { id: string; load: Loader; scope?: string }[] = [
  { id: 'overview', load: () => import('./views/overview') },
  { id: 'leads', load: () => import('./views/leads') },
  { id: 'scoring', load: () => import('./views/scoring') },
  { id: 'sales', load: () => import('./views/sales') },
  { id: 'webhooks', load: () => import('./views/webhooks') },
  { id: 'nurture', load: () => import('./views/nurture') },
  { id: 'magnets', load: () => import('./views/magnets') },
];

export const NAV_WORDS = {
  en: { overview: 'Overview', leads: 'Leads', scoring: 'Scoring', sales: 'Sales', webhooks: 'Webhooks', nurture: 'Nurture', magnets: 'Magnets' },
  de: { overview: 'Überblick', leads: 'Leads', scoring: 'Scoring', sales: 'Vertrieb', webhooks: 'Webhooks', nurture: 'Nurturing', magnets: 'Lead-Magnete' },
};
