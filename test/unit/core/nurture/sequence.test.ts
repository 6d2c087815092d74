import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../../../edge/core/errors';
import { magnetsOf, nextStepId, parseSequence, SEQUENCE_LIMITS, templateFor, type Condition, type Sequence } from '../../../../edge/core/nurture/sequence';
import { threeMails } from '../../../fixtures/sequences';

const MAGNETS = new Set(['whitepaper', 'checklist']);
const parse = (doc: unknown, id = 'after-whitepaper') => parseSequence(doc, { id, magnets: MAGNETS });

/** The errors parseSequence throws for `doc` (fails the test when it parses). */
function errorsOf(doc: unknown, id = 'after-whitepaper') {
  try {
    parse(doc, id);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInput);
    const err = e as InvalidInput;
    expect(err.detail).toBe(`The sequence is invalid: ${err.errors[0]!.path} ${err.errors[0]!.message}.`);
    return err.errors;
  }
  throw new Error('the document parsed');
}
const pathsOf = (doc: unknown) => errorsOf(doc).map((e) => e.path);

const T = (subject: string) => ({ en: { subject, body: 'Hello' } });

/** Steps and templates with one template per send step, so only the graph is under test. */
function graph(steps: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  const templates: Record<string, unknown> = {};
  for (const s of steps) if (s.type === 'send') templates[s.template as string] = T(`Mail ${String(s.template)}`);
  return threeMails({ steps, templates, ...extra });
}

const event = (magnets: string[]): Condition => ({ type: 'event', magnets });
const nest = (depth: number): Condition => (depth <= 1 ? { type: 'score', min: 1 } : { type: 'all', of: [nest(depth - 1)] });

describe('parseSequence', () => {
  it('accepts threeMails() and fills in the defaults: active, reentry never, the id from the context', () => {
    const seq = parse(threeMails(), 'from-url');
    expect(seq.id).toBe('from-url');
    expect(seq.status).toBe('active');
    expect(seq.reentry).toBe('never');
    expect(seq.name).toBe('After the whitepaper');
    expect(seq.steps.map((s) => s.id)).toEqual(['welcome', 'wait-1', 'case-study', 'wait-2', 'offer']);
    expect(Object.keys(seq.templates)).toEqual(['welcome', 'case', 'offer']);
  });

  it('keeps a status and a reentry that are given', () => {
    const seq = parse(threeMails({ status: 'paused', reentry: { afterDays: 30 } }));
    expect(seq.status).toBe('paused');
    expect(seq.reentry).toEqual({ afterDays: 30 });
  });

  it('takes an id equal to the one in the URL, and refuses another at /id', () => {
    expect(parse(threeMails({ id: 'same' }), 'same').id).toBe('same');
    const errors = errorsOf(threeMails({ id: 'other' }), 'same');
    expect(errors).toEqual([{ path: '/id', message: 'must be the id in the URL ("same") or left out' }]);
  });

  it('names schema errors by JSON pointer, all of them at once', () => {
    const doc = threeMails();
    doc.steps[1] = { id: 'wait-1', type: 'wait', days: -1 };
    (doc.steps[2] as Record<string, unknown>).template = 'Not A Slug';
    const paths = pathsOf({ ...doc, status: 'sleeping', extra: 1 });
    expect(paths).toEqual(expect.arrayContaining(['/status', '/extra', '/steps/1/days', '/steps/2/template']));
  });

  it('refuses a wait with neither days, hours nor a window', () => {
    const doc = threeMails();
    doc.steps[1] = { id: 'wait-1', type: 'wait' } as (typeof doc.steps)[number];
    expect(errorsOf(doc)).toEqual([{ path: '/steps/1', message: 'must set days, hours or a window' }]);
  });

  describe('graph checks', () => {
    it('refuses a step id used twice, at the second one', () => {
      const doc = graph([
        { id: 'a', type: 'send', template: 'a' },
        { id: 'w', type: 'wait', days: 1 },
        { id: 'a', type: 'send', template: 'b' },
      ]);
      expect(errorsOf(doc)).toEqual([{ path: '/steps/2/id', message: 'must be unique in the sequence ("a" is used twice)' }]);
    });

    it('refuses a next that names no step', () => {
      const doc = graph([{ id: 'a', type: 'send', template: 'a', next: 'nowhere' }, { id: 'w', type: 'wait', days: 1, next: 'gone' }]);
      expect(errorsOf(doc)).toEqual([
        { path: '/steps/0/next', message: 'must name a step of this sequence ("nowhere" is none)' },
        { path: '/steps/1/next', message: 'must name a step of this sequence ("gone" is none)' },
      ]);
    });

    it('refuses a branch whose then or else names no step', () => {
      const doc = graph([
        { id: 'b', type: 'branch', if: { type: 'score', min: 10 }, then: 'hot', else: 'cold' },
        { id: 'x', type: 'exit' },
      ]);
      expect(errorsOf(doc)).toEqual([
        { path: '/steps/0/then', message: 'must name a step of this sequence ("hot" is none)' },
        { path: '/steps/0/else', message: 'must name a step of this sequence ("cold" is none)' },
      ]);
      expect(pathsOf(graph([
        { id: 'b', type: 'branch', if: { type: 'score', min: 10 }, then: 'x', else: 'cold' },
        { id: 'x', type: 'exit' },
      ]))).toEqual(['/steps/0/else']);
    });

    it('refuses a send step whose template is missing', () => {
      const doc = threeMails();
      delete (doc.templates as Record<string, unknown>).case;
      expect(errorsOf(doc)).toEqual([{ path: '/steps/2/template', message: 'must name a template of this sequence ("case" is none)' }]);
    });

    it('refuses a template no send step uses', () => {
      const doc = threeMails();
      (doc.templates as Record<string, unknown>).spare = T('Spare');
      expect(errorsOf(doc)).toEqual([{ path: '/templates/spare', message: 'is not used by any send step' }]);
    });

    it('refuses a cycle without a wait, naming its steps', () => {
      const doc = graph([
        { id: 'a', type: 'send', template: 'a' },
        { id: 'b', type: 'branch', if: { type: 'score', min: 10 }, then: 'c', else: 'x' },
        { id: 'c', type: 'send', template: 'c', next: 'a' },
        { id: 'x', type: 'exit' },
      ]);
      const errors = errorsOf(doc);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.path).toBe('/steps/0');
      expect(errors[0]!.message).toBe('is in a cycle of steps without a wait (a → b → c → a): add a wait of at least an hour to it');
    });

    it('refuses a step whose next is itself', () => {
      const errors = errorsOf(graph([{ id: 'a', type: 'send', template: 'a', next: 'a' }]));
      expect(errors.map((e) => [e.path, e.message])).toEqual([['/steps/0', 'is in a cycle of steps without a wait (a → a): add a wait of at least an hour to it']]);
    });

    it('finds a cycle that starts after the first step', () => {
      const errors = errorsOf(graph([
        { id: 'a', type: 'send', template: 'a' },
        { id: 'w', type: 'wait', days: 1 },
        { id: 'b', type: 'branch', if: { type: 'score', min: 10 }, then: 'c', else: 'x' },
        { id: 'c', type: 'send', template: 'c', next: 'b' },
        { id: 'x', type: 'exit' },
      ]));
      expect(errors.map((e) => e.path)).toEqual(['/steps/2']);
      expect(errors[0]!.message).toContain('(b → c → b)');
    });

    it('accepts a cycle broken by a wait', () => {
      const seq = parse(graph([
        { id: 'a', type: 'send', template: 'a' },
        { id: 'w', type: 'wait', days: 7 },
        { id: 'b', type: 'branch', if: { type: 'score', min: 10 }, then: 'x', else: 'a' },
        { id: 'x', type: 'exit' },
      ]));
      expect(seq.steps).toHaveLength(4);
    });

    it(`accepts conditions nested ${SEQUENCE_LIMITS.conditionDepth} deep and refuses deeper ones at /steps/i/if`, () => {
      const doc = (depth: number) => graph([
        { id: 'a', type: 'send', template: 'a' },
        { id: 'b', type: 'branch', if: nest(depth), then: 'x', else: 'x' },
        { id: 'x', type: 'exit' },
      ]);
      expect(parse(doc(4)).steps[1]).toMatchObject({ type: 'branch' });
      expect(errorsOf(doc(5))).toEqual([{ path: '/steps/1/if', message: 'must nest all, any and not at most 4 deep' }]);
      // `not` and `any` count as well.
      const deep: Condition = { type: 'not', of: { type: 'any', of: [{ type: 'score', max: 3 }, nest(3)] } };
      expect(pathsOf(graph([{ id: 'b', type: 'branch', if: deep, then: 'x', else: 'x' }, { id: 'x', type: 'exit' }]))).toEqual(['/steps/0/if']);
    });
  });

  describe('magnets', () => {
    it('accepts magnets of the site in the trigger and in conditions', () => {
      const seq = parse(graph(
        [{ id: 'b', type: 'branch', if: event(['checklist']), then: 'x', else: 'x' }, { id: 'x', type: 'exit' }],
        { trigger: { on: 'download', magnet: 'whitepaper' } },
      ));
      expect(seq.trigger).toEqual({ on: 'download', magnet: 'whitepaper' });
    });

    it('refuses an unknown magnet in the trigger at /trigger/magnet', () => {
      expect(errorsOf(threeMails({ trigger: { on: 'download', magnet: 'ebook' } }))).toEqual([
        { path: '/trigger/magnet', message: 'must name a magnet of this site ("ebook" is none)' },
      ]);
    });

    it('refuses an unknown magnet in a branch condition, at its pointer inside all/any/not', () => {
      const cond: Condition = { type: 'all', of: [event(['whitepaper']), { type: 'not', of: event(['checklist', 'ebook']) }] };
      const errors = errorsOf(graph([
        { id: 'a', type: 'send', template: 'a' },
        { id: 'b', type: 'branch', if: cond, then: 'x', else: 'x' },
        { id: 'x', type: 'exit' },
      ]));
      expect(errors).toEqual([{ path: '/steps/1/if/of/1/of/magnets/1', message: 'must name a magnet of this site ("ebook" is none)' }]);
    });
  });

  describe('templates', () => {
    it('refuses an unknown variable at /templates/x/en/subject', () => {
      const doc = threeMails();
      doc.templates.case.en.subject = 'Hi {{nickname}}';
      const errors = errorsOf(doc);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.path).toBe('/templates/case/en/subject');
      expect(errors[0]!.message).toMatch(/^unknown variable "nickname"; known variables: /);
    });

    it('checks the body and the German copy too', () => {
      const doc = threeMails();
      doc.templates.welcome.de.body = '<b>Hallo</b> [x](javascript:alert(1))';
      const errors = errorsOf(doc);
      expect(errors.map((e) => e.path)).toEqual(['/templates/welcome/de/body', '/templates/welcome/de/body']);
      expect(errors[0]!.message).toMatch(/^raw HTML is not allowed/);
      expect(errors[1]!.message).toMatch(/^a link must go to an http\(s\) or mailto: URL/);
    });

    it('refuses a template with neither en nor de', () => {
      const doc = threeMails();
      (doc.templates as Record<string, unknown>).offer = {};
      expect(pathsOf(doc)).toEqual(['/templates/offer']);
    });
  });
});

describe('nextStepId', () => {
  const seq = { steps: [
    { id: 'a', type: 'send', template: 't' },
    { id: 'b', type: 'wait', days: 1, next: 'd' },
    { id: 'c', type: 'send', template: 't' },
    { id: 'd', type: 'exit' },
  ] } as Pick<Sequence, 'steps'>;

  it('is the next when set, else the following step, else null at the end', () => {
    expect(nextStepId(seq, 0)).toBe('b');
    expect(nextStepId(seq, 1)).toBe('d');
    expect(nextStepId(seq, 2)).toBe('d');
    expect(nextStepId(seq, 3)).toBeNull();
  });
});

describe('magnetsOf', () => {
  it('lists the trigger magnet and every condition magnet with its pointer, in order', () => {
    const seq = parse(graph(
      [
        { id: 'a', type: 'send', template: 'a' },
        { id: 'b', type: 'branch', if: { type: 'any', of: [{ type: 'score', min: 1 }, event(['checklist', 'whitepaper'])] }, then: 'c', else: 'x' },
        { id: 'c', type: 'branch', if: { type: 'not', of: event(['checklist']) }, then: 'x', else: 'x' },
        { id: 'x', type: 'exit' },
      ],
      { trigger: { on: 'download', magnet: 'whitepaper' } },
    ));
    expect(magnetsOf(seq)).toEqual([
      { path: '/trigger/magnet', magnet: 'whitepaper' },
      { path: '/steps/1/if/of/1/magnets/0', magnet: 'checklist' },
      { path: '/steps/1/if/of/1/magnets/1', magnet: 'whitepaper' },
      { path: '/steps/2/if/of/magnets/0', magnet: 'checklist' },
    ]);
  });

  it('is empty without a download trigger or event magnets', () => {
    expect(magnetsOf(parse(threeMails()))).toEqual([]);
  });
});

describe('templateFor', () => {
  const both = { en: { subject: 'Hello', body: 'EN' }, de: { subject: 'Hallo', body: 'DE' } };

  it('takes the lead’s language when the template has it', () => {
    expect(templateFor(both, 'en')).toEqual({ lang: 'en', subject: 'Hello', body: 'EN' });
    expect(templateFor(both, 'de')).toEqual({ lang: 'de', subject: 'Hallo', body: 'DE' });
  });

  it('falls back to the other language, and says so', () => {
    expect(templateFor({ en: both.en }, 'de')).toEqual({ lang: 'en', subject: 'Hello', body: 'EN' });
    expect(templateFor({ de: both.de }, 'en')).toEqual({ lang: 'de', subject: 'Hallo', body: 'DE' });
  });
});

describe('a cycle through a wait that can be due at once', () => {
  it('is refused for a zero-length and a window-only wait, accepted with an hour', async () => {
    const { parseSequence } = await import('../../../../edge/core/nurture/sequence');
    const doc = (wait: Record<string, unknown>) => ({
      name: 'Loop',
      trigger: { on: 'confirmed' },
      steps: [
        { id: 'w', type: 'wait', ...wait },
        { id: 'b', type: 'branch', if: { type: 'score', min: 0 }, then: 'w', else: 's' },
        { id: 's', type: 'send', template: 't' },
      ],
      templates: { t: { en: { subject: 'Hi', body: 'Hello' } } },
    });
    const ctx = { id: 'loop', magnets: new Set<string>() };
    expect(() => parseSequence(doc({ hours: 0 }), ctx)).toThrow(/cycle of steps without a wait \(w → b → w\)/);
    expect(() => parseSequence(doc({ window: { days: ['mon'], from: '09:00', to: '17:00' } }), ctx)).toThrow(/cycle/);
    expect(parseSequence(doc({ hours: 1 }), ctx).steps).toHaveLength(3);
  });
});
