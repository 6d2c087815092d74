import type { Context } from 'hono';
import type { Page } from './page-layout';

/**
 * Answering with one of the edge's HTML pages (opt-in, withdraw, download
 * errors, the owner's answer). Such pages carry a token or a signature in
 * their URL: never cached, never sent on as a referrer, never indexed.
 */
export function sendPage(c: Context, page: Page, status = 200): Response {
  c.header('Content-Security-Policy', page.csp);
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Robots-Tag', 'noindex, nofollow');
  c.header('X-Content-Type-Options', 'nosniff');
  return c.html(page.html, status as 200);
}

export const wantsJson = (c: Context) => (c.req.header('accept') ?? '').includes('application/json');
/** A browser navigating (or posting the no-script form): it gets a page; API clients keep problem+json. */
export const wantsPage = (c: Context) => !wantsJson(c) && (c.req.header('accept') ?? '').includes('text/html');
