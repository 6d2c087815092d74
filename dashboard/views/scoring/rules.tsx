import { useWords } from '../../i18n';
import { ErrorsAt, SelectField, TextField, useForm } from './fields';
import { at, BANT, ENGAGEMENT_LISTS, EVENT_KINDS, FIT_FIELDS, fitListKey, newId, SIZE_MAX, SIZE_MIN, type Obj } from './model';
import { WORDS } from './words';

type Group = 'fit' | 'engagement';

function RuleCard({ group, i, children }: { group: Group; i: number; children: preact.ComponentChildren }) {
  const w = useWords(WORDS);
  const { draft, set } = useForm();
  const rules = (at(draft, [group]) as Obj[]) ?? [];
  const rule = rules[i]!;
  const name = String(rule.label || rule.id || w.rule(i + 1));
  const remove = () => {
    set([group], rules.filter((_, j) => j !== i));
    // Focus stays in the list: on the next rule's first field, or the add button.
    setTimeout(() => (document.querySelector(`#sc-${group}-${i}-id, #sc-add-${group}`) as HTMLElement | null)?.focus());
  };
  return (
    <li>
      <fieldset class="rule">
        <legend>{name}</legend>
        <div class="rule-fields">{children}</div>
        <ErrorsAt path={[group, i]} />
        <button type="button" class="secondary" onClick={remove} aria-label={w.remove(name)}>
          {w.removeShort}
        </button>
      </fieldset>
    </li>
  );
}

function FitRule({ i }: { i: number }) {
  const w = useWords(WORDS);
  const { draft, set } = useForm();
  const rule = (at(draft, ['fit', i]) as Obj) ?? {};
  const field = String(rule.field ?? '');
  const list = fitListKey(field);
  const changeField = (f: string) => {
    const next: Obj = { id: rule.id ?? '', label: rule.label ?? '', field: f, points: rule.points ?? '0' };
    const key = fitListKey(f);
    if (key) next[key] = '';
    if (f === 'companySize') next.min = '1';
    if (f === 'emailType') next.is = 'business';
    set(['fit', i], next);
  };
  return (
    <RuleCard group="fit" i={i}>
      <TextField path={['fit', i, 'label']} label={w.label} wide />
      <TextField path={['fit', i, 'id']} label={w.id} />
      <SelectField path={['fit', i, 'field']} label={w.field} options={FIT_FIELDS.map((f) => [f, w.fields[f] ?? f])} onChange={changeField} />
      {field === 'companySize' && (
        <>
          <SelectField path={['fit', i, 'min']} label={w.min} options={[['', w.any], ...SIZE_MIN.map((n): [string, string] => [n, n])]} />
          <SelectField path={['fit', i, 'max']} label={w.max} options={[['', w.any], ...SIZE_MAX.map((n): [string, string] => [n, n])]} />
        </>
      )}
      {field === 'emailType' && <SelectField path={['fit', i, 'is']} label={w.is} options={[['business', w.business], ['freemail', w.freemail]]} />}
      {list && (
        <TextField path={['fit', i, list]} label={w.lists[list] ?? list} wide hint={list === 'values' ? `${w.listHint} ${(BANT[field] ?? []).join(', ')}` : w.listHint} />
      )}
      <TextField path={['fit', i, 'points']} label={w.points} numeric narrow />
    </RuleCard>
  );
}

function EngagementRule({ i }: { i: number }) {
  const w = useWords(WORDS);
  return (
    <RuleCard group="engagement" i={i}>
      <TextField path={['engagement', i, 'label']} label={w.label} wide />
      <TextField path={['engagement', i, 'id']} label={w.id} />
      {ENGAGEMENT_LISTS.map((k) => (
        <TextField key={k} path={['engagement', i, k]} label={w[k]} wide={k !== 'magnets' && k !== 'names'} hint={k === 'kinds' ? w.kindsHint(EVENT_KINDS.join(', ')) : k === 'paths' ? w.pathsHint : undefined} />
      ))}
      <TextField path={['engagement', i, 'points']} label={w.points} numeric narrow />
      <TextField path={['engagement', i, 'capPerDay']} label={w.capPerDay} hint={w.noCap} numeric narrow />
      <TextField path={['engagement', i, 'capTotal']} label={w.capTotal} hint={w.noCap} numeric narrow />
    </RuleCard>
  );
}

/** Both rule lists with their add buttons. */
export function RuleLists() {
  const w = useWords(WORDS);
  const { draft, set } = useForm();
  const fit = (at(draft, ['fit']) as Obj[]) ?? [];
  const engagement = (at(draft, ['engagement']) as Obj[]) ?? [];
  const add = (group: Group) => {
    const id = newId(draft, group === 'fit' ? 'fit' : 'behaviour');
    const rule: Obj = group === 'fit' ? { id, label: '', field: 'industry', keywords: '', points: '0' } : { id, label: '', kinds: 'pageview', paths: '', points: '1' };
    const list = group === 'fit' ? fit : engagement;
    set([group], [...list, rule]);
    setTimeout(() => (document.getElementById(`sc-${group}-${list.length}-label`) as HTMLElement | null)?.focus());
  };
  return (
    <>
      <section class="card wide" aria-labelledby="sc-fit-h">
        <h2 id="sc-fit-h">{w.fit}</h2>
        <p class="muted">{w.fitHint}</p>
        <ErrorsAt path={['fit']} />
        <ol class="rules">{fit.map((_, i) => <FitRule key={i} i={i} />)}</ol>
        <button type="button" class="secondary" id="sc-add-fit" onClick={() => add('fit')}>{w.addFit}</button>
      </section>
      <section class="card wide" aria-labelledby="sc-eng-h">
        <h2 id="sc-eng-h">{w.engagement}</h2>
        <p class="muted">{w.engagementHint}</p>
        <ErrorsAt path={['engagement']} />
        <ol class="rules">{engagement.map((_, i) => <EngagementRule key={i} i={i} />)}</ol>
        <button type="button" class="secondary" id="sc-add-engagement" onClick={() => add('engagement')}>{w.addEngagement}</button>
      </section>
    </>
  );
}

/** Thresholds, temperature and the half-life. */
export function Settings() {
  const w = useWords(WORDS);
  return (
    <section class="card wide" aria-labelledby="sc-set-h">
      <h2 id="sc-set-h">{w.settings}</h2>
      <ErrorsAt path={['thresholds']} />
      <ErrorsAt path={['temperature']} />
      <div class="rule-fields">
        <TextField path={['thresholds', 'mql']} label={w.mql} numeric />
        <TextField path={['thresholds', 'sql']} label={w.sql} numeric />
        <TextField path={['thresholds', 'sqlMinFit']} label={w.sqlMinFit} hint={w.optional} numeric />
        <TextField path={['thresholds', 'mqlMinEngagement']} label={w.mqlMinEngagement} hint={w.optional} numeric />
        <TextField path={['thresholds', 'sqlMinEngagement']} label={w.sqlMinEngagement} hint={w.optional} numeric />
        <SelectField path={['temperature', 'basis']} label={w.basis} options={[['engagement', w.basisEngagement], ['score', w.basisScore]]} />
        <TextField path={['temperature', 'warm']} label={w.warm} numeric />
        <TextField path={['temperature', 'hot']} label={w.hot} numeric />
        <TextField path={['halfLifeDays']} label={w.halfLife} hint={w.halfLifeHint} numeric wide />
      </div>
    </section>
  );
}
