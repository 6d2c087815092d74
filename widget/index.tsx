/**
 * w.js: the lead-magnet widget. Renders every `[data-lodestone-magnet]`
 * element of the page (now or added later) into its own shadow root.
 *
 * Loaded by the snippet (s.js) when such an element exists, or on its own:
 *   <script src="https://EDGE/w.js" data-site="SITE" defer></script>
 * The API origin is the origin w.js came from; the site id comes from the
 * element, this script tag or the snippet's tag (data-site).
 */
import { render } from 'preact';
import { loadMagnet } from './api';
import { pickLang } from './i18n';
import { readOptions } from './options';
import { Widget } from './shell';
import { CSS } from './styles';

const doc = document;
const script = doc.currentScript as HTMLScriptElement | null;

function mount(el: HTMLElement) {
  if (el.shadowRoot) return;
  const data = el.dataset;
  const opts = readOptions(data);
  const site = data.site || script?.dataset.site || doc.querySelector<HTMLScriptElement>('script[data-site]')?.dataset.site;
  const api = (data.api || script?.dataset.api || (script?.src ? new URL(script.src).origin : location.origin)).replace(/\/+$/, '');
  if (!opts.magnet || !site) return;
  const root = el.attachShadow({ mode: 'open' });
  const lang = pickLang(data.lang, doc.documentElement.lang);
  loadMagnet(api, site, opts.magnet, lang).then(
    (cfg) =>
      render(
        <>
          <style>{CSS}</style>
          <Widget ctx={{ api, site, lang, t: cfg.ui, cfg, host: el }} opts={opts} />
        </>,
        root,
      ),
    // Unknown magnet, no file, API down: a default slot shows the element's own
    // content (the page's fallback) instead of an empty box; the owner learns why.
    (err: Error) => {
      render(<slot />, root);
      console.error(`Lodestone widget: lead magnet "${opts.magnet}" of site "${site}" cannot be shown (${err.message}). Showing the element's own content instead.`);
    },
  );
}

const w = window as unknown as { lodestoneWidget?: boolean };
if (!w.lodestoneWidget) {
  w.lodestoneWidget = true;
  const scan = () => doc.querySelectorAll<HTMLElement>('[data-lodestone-magnet]').forEach(mount);
  scan();
  new MutationObserver(scan).observe(doc.documentElement, { childList: true, subtree: true });
}
