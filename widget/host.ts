/**
 * The widget's contact points with the page: the snippet (when present) and
 * Turnstile. Everything is optional and guarded: w.js also runs alone.
 */

type Snippet = (command: string, ...args: unknown[]) => unknown;
const snippet = (): Snippet | undefined => (window as unknown as { lodestone?: Snippet }).lodestone;

/**
 * The snippet's visitor id: present only when the visitor consented to
 * analytics (the snippet answers undefined otherwise). Never created here.
 */
export function visitorId(): string | undefined {
  try {
    const vid = snippet()?.('visitor');
    return typeof vid == 'string' && /^[\w-]{8,64}$/.test(vid) ? vid : undefined;
  } catch {
    return undefined;
  }
}

/** Tells the snippet the form was shown; it sends form_view only within the visitor's consent. */
export function formView(magnet: string): void {
  try {
    snippet()?.('form_view', magnet);
  } catch {
    /* never into the host page */
  }
}

type Turnstile = { render(el: HTMLElement, o: Record<string, unknown>): unknown };
let turnstileScript: Promise<void> | undefined;

/**
 * Cloudflare Turnstile, loaded on the first interaction with a form that
 * needs it (not on page load: no third-party request for mere visitors).
 * Its box lives in the light DOM, shown in the form through a slot.
 */
export function startTurnstile(host: HTMLElement, sitekey: string, onToken: (token: string) => void): void {
  const box = document.createElement('div');
  box.slot = 'ts';
  host.appendChild(box);
  turnstileScript ||= new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit';
    s.async = true;
    s.onload = () => resolve();
    s.onerror = reject;
    document.head.appendChild(s);
  });
  turnstileScript
    .then(() =>
      (window as unknown as { turnstile: Turnstile }).turnstile.render(box, {
        sitekey,
        callback: onToken,
        'expired-callback': () => onToken(''),
      }),
    )
    .catch(() => {});
}
