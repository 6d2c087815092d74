import type { Route } from './router';

/** What every view receives: the current route (its path segments and query). */
export interface ViewProps {
  route: Route;
}
