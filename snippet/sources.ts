/**
 * Consent sources that read the page: Google Consent Mode v2 (gtag's
 * `dataLayer`) and IAB TCF v2.2 (`__tcfapi`). Each turns what it sees into a
 * Signal (consent.ts) and passes it on; none of them stores anything.
 */
import { fromConsentMode, fromTcf, type Signal } from './consent';
import { safe } from './safe';

type Emit = (signal?: Signal | false) => void;

/**
 * Replays consent commands already in `window.dataLayer`, then watches
 * later pushes. The push wrapper calls the previous push first, so gtag.js /
 * GTM (which chain the push they find) keep working whichever loads first.
 * No dataLayer, no watching: the snippet does not create one.
 */
export const watchConsentMode = safe((win: Window, emit: Emit) => {
  const dl = win.dataLayer!;
  const push = dl.push;
  const read = safe((entries: Iterable<unknown>) => {
    for (const entry of entries) emit(fromConsentMode(entry));
  });
  read(dl);
  dl.push = function (...entries: unknown[]) {
    const result = push.apply(this, entries);
    read(entries);
    return result;
  };
});

/** Listens to the CMP's TCF API, if the page has one. */
export const watchTcf = safe((win: Window, emit: Emit) => {
  win.__tcfapi?.('addEventListener', 2, safe((data: unknown, success: boolean) => emit(success && fromTcf(data))));
});
