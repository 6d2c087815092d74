/**
 * Download and outbound clicks. One capturing listener on the document, so a
 * page that stops propagation still gets counted; middle clicks (auxclick,
 * new tab) count too. The decision itself is classifyLink (url.ts).
 */
import { safe } from './safe';
import { classifyLink } from './url';

export function watchClicks(doc: Document, extensions: RegExp, found: (kind: 'download' | 'outbound', target: string) => void): void {
  const onClick = safe((e: MouseEvent) => {
    if (e.button > 1) return;
    const a = (e.target as Element | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
    // SVG links (no string href) make classifyLink throw: not counted.
    const hit = a && classifyLink(a, location.host, extensions);
    if (hit) found(hit[0], hit[1]);
  });
  doc.addEventListener('click', onClick, true);
  doc.addEventListener('auxclick', onClick, true);
}
