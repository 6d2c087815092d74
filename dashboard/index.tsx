import { render } from 'preact';
import { getSession } from './api';
import { App } from './app';
import { parseRoute } from './router';
import { loadView } from './view-registry';

// The session check and the opened view's chunk, both under way before the first render.
const session = getSession();
session.catch(() => undefined);
loadView(parseRoute(location.hash).view).catch(() => undefined);
const root = document.getElementById('app');
if (root) render(<App session={session} />, root);

// Almost every view draws with these. Exported by the entry, they arrive with it, not a round trip after the view's chunk.
export { useLoad } from './ui/use-load';
export { Bars, Columns } from './ui/charts';
