import { useEffect, useState } from 'preact/hooks';

/**
 * Routes live in the URL's hash (`/app#/leads/ld_…`): the Worker serves one
 * page at /app, and a link to a lead or a view can be shared and reloaded.
 */
export interface Route {
  view: string;
  /** Path segments after the view, decoded. */
  rest: string[];
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', qs = ''] = hash.replace(/^#\/?/, '').split('?');
  const [view = '', ...rest] = path.split('/').filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return { view: view || 'overview', rest, params: new URLSearchParams(qs) };
}

export function useRoute(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return parseRoute(hash);
}

/** The href of a view, e.g. href('leads', 'ld_1') → '#/leads/ld_1'. */
export function href(view: string, ...rest: string[]): string {
  return `#/${[view, ...rest].map(encodeURIComponent).join('/')}`;
}

/** Keeps a view's filters in the URL without a new history entry per keystroke. */
export function replaceParams(params: URLSearchParams): void {
  const [path = ''] = location.hash.split('?');
  const qs = params.toString();
  history.replaceState(null, '', `${path || '#/'}${qs ? `?${qs}` : ''}`);
}
