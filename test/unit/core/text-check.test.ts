import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { cleanJson, isCleanText } from '../../../edge/core/text';
import { objectBody } from '../../../edge/core/schemas/object';

describe('isCleanText', () => {
  it('refuses C0, DEL, C1 and lone surrogates; line feeds only when allowed', () => {
    for (const bad of ['\u0000', '\u001b', '\r', '\t', '\u007f', '\u0080', '\u009f', '\ud800', '\udfff', 'a\ud83d', '\ude00b']) {
      expect(isCleanText(`x${bad}y`), JSON.stringify(bad)).toBe(false);
    }
    expect(isCleanText('a\nb')).toBe(false);
    expect(isCleanText('a\nb', true)).toBe(true);
    expect(isCleanText('a\r\nb', true)).toBe(false);
    expect(isCleanText('Zoë 😀 — \u00a0ok')).toBe(true);
  });
});

describe('the body check', () => {
  it('reports each bad string and key at its own path', () => {
    const schema = objectBody({ a: v.unknown() });
    const r = v.safeParse(schema, { a: { list: ['ok', 'b\u0000d'], 'k\u001b': 'x' } }, { abortEarly: false });
    expect(r.success).toBe(false);
    const paths = r.issues!.map((i) => i.path!.map((p) => p.key).join('/')).sort();
    expect(paths).toEqual(['a/k\u001b', 'a/list/1']);
  });

  it('survives a deeply nested body', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 50_000; i++) deep = [deep];
    expect(v.safeParse(cleanJson, deep).success).toBe(false);
  });
});
