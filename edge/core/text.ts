import * as v from 'valibot';

/**
 * The one character check for every text a request can store (event names,
 * URLs and targets, lead fields, site, key and magnet names, webhook URLs and
 * descriptions, scoring labels, property keys and values …). Refused
 * everywhere: C0 controls (NUL, ESC, CR, LF, tab …), DEL and C1 controls
 * (U+0080–U+009F), and lone UTF-16 surrogates (not text; they break UTF-8
 * output, CSV exports and mail headers). Only texts of several paragraphs
 * (consent texts, magnet descriptions) may hold line feeds. Tab is allowed
 * nowhere: no stored field needs it.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_LF = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const CONTROL_MESSAGE = 'must not contain line breaks, other control characters (U+0000–U+001F, U+007F–U+009F) or unpaired surrogates';
const CONTROL_BUT_LF_MESSAGE = 'must not contain control characters other than line breaks (U+0000–U+001F, U+007F–U+009F) or unpaired surrogates';

/** Whether `s` is clean text (line feeds allowed only when asked for). */
export const isCleanText = (s: string, lineBreaks = false) => !(lineBreaks ? CONTROL_BUT_LF : CONTROL).test(s) && !LONE_SURROGATE.test(s);

type PathItem = { type: 'object'; origin: 'value' | 'key'; input: Record<string, unknown>; key: string; value: unknown };

/**
 * Checks every string in a parsed JSON value, object keys included, and
 * reports each bad one at its own path. Keys named in `lineBreaks` (at any
 * depth) may hold line feeds. Iterative: a deeply nested body cannot
 * exhaust the stack.
 */
export function cleanTextEverywhere<T = unknown>(lineBreaks: readonly string[] = []) {
  const multi = new Set(lineBreaks);
  interface Node { value: unknown; item?: PathItem; parent?: Node; multiline: boolean }
  // Paths are built only for an issue, from parent links: the walk stays linear in the body's size.
  const pathOf = (n: Node, last?: PathItem) => {
    const items: PathItem[] = last ? [last] : [];
    for (let at: Node | undefined = n; at?.item; at = at.parent) items.unshift(at.item);
    return items.length ? (items as [PathItem, ...PathItem[]]) : undefined;
  };
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    const stack: Node[] = [{ value: dataset.value, multiline: false }];
    while (stack.length) {
      const node = stack.pop()!;
      const { value } = node;
      if (typeof value === 'string') {
        if (!isCleanText(value, node.multiline)) addIssue({ message: node.multiline ? CONTROL_BUT_LF_MESSAGE : CONTROL_MESSAGE, path: pathOf(node) });
      } else if (value && typeof value === 'object') {
        const obj = value as Record<string, unknown>;
        for (const key of Object.keys(obj)) {
          const item: PathItem = { type: 'object', origin: 'value', input: obj, key, value: obj[key] };
          if (!isCleanText(key)) addIssue({ message: `has a key that ${CONTROL_MESSAGE}`, path: pathOf(node, { ...item, origin: 'key' }) });
          stack.push({ value: obj[key], item, parent: node, multiline: multi.has(key) });
        }
      }
    }
  });
}

/** Any JSON body (one that has no object schema of its own): every string checked. */
export const cleanJson = v.pipe(v.unknown(), cleanTextEverywhere());
