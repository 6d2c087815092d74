import { render } from 'preact';
import { getSession, prefetch } from './api';
import { App } from './app';
import { parseRoute } from './router';
import { loadView, viewOf } from './view-registry';

// The session check, the opened view's chunk and its first requests, all under way before the first render.
const route = parseRoute(location.hash);
const session = getSession();
session.catch(() => undefined);
loadView(route.view).catch(() => undefined);
viewOf(route.view).firstRequests?.(route.params).forEach(prefetch);
const root = document.getElementById('app');
if (root) render(<App session={session} />, root);

// Almost every view draws with these. Exported by the entry, they arrive with it, not a round trip after the view's chunk.
export { useLoad } from './ui/use-load';
export { Bars, Columns } from './ui/charts';
