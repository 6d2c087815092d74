import { api } from '../../api';
import { useWords } from '../../i18n';
import { useCan } from '../../session';
import { useLoad } from '../../ui/use-load';
import { SALES_STATUSES, STAGES, TEMPERATURES, WORDS } from './words';

interface Owner { id: string; name: string; active: boolean }
interface Magnet { id: string; title?: string; name?: string }

/**
 * The list's filters. Choices apply at once; typed fields apply when they
 * are left or with Enter (or the apply button), so the list does not reload
 * on every keystroke.
 */
export function Filters({ params, onChange, onReset }: { params: URLSearchParams; onChange: (k: string, v: string) => void; onReset: () => void }) {
  const w = useWords(WORDS);
  const can = useCan();
  // Both lists are optional: /v1/owners needs config:write, /v1/magnets may be missing.
  const [owners] = useLoad((signal) => (can('config:write') ? api<{ owners: Owner[] }>('/v1/owners', { signal }).catch(() => ({ owners: [] })) : Promise.resolve({ owners: [] as Owner[] })), []);
  const [magnets] = useLoad((signal) => api<{ magnets: Magnet[] }>('/v1/magnets', { signal }).catch(() => ({ magnets: [] as Magnet[] })), []);
  const stages = (params.get('stage') ?? '').split(',').filter(Boolean);
  const toggleStage = (s: string, on: boolean) => onChange('stage', STAGES.filter((x) => (x === s ? on : stages.includes(x))).join(','));
  const value = (k: string) => params.get(k) ?? '';
  const text = (k: string) => (e: Event) => {
    const v = (e.target as HTMLInputElement).value.trim();
    if (v !== value(k)) onChange(k, v);
  };
  const pick = (k: string) => (e: Event) => onChange(k, (e.target as HTMLSelectElement).value);
  const ownerList = owners.state === 'ready' ? owners.data.owners : [];
  const magnetList = magnets.state === 'ready' ? magnets.data.magnets : [];
  const current = value('owner');

  return (
    <form
      class="card leads-filters"
      aria-labelledby="lf-title"
      onSubmit={(e) => {
        e.preventDefault();
        const form = e.currentTarget as HTMLFormElement;
        for (const k of ['q', 'country', 'industry', 'min_score', 'max_score', 'owner']) {
          const el = form.elements.namedItem(k) as HTMLInputElement | null;
          if (el && el.tagName === 'INPUT' && el.value.trim() !== value(k)) onChange(k, el.value.trim());
        }
      }}
    >
      <h2 id="lf-title">{w.filters}</h2>
      <div class="toolbar">
        <div class="field grow">
          <label for="lf-q">{w.search}</label>
          <input id="lf-q" name="q" type="search" defaultValue={value('q')} placeholder={w.searchHint} maxLength={100} onChange={text('q')} />
        </div>
        <div class="field">
          <label for="lf-temp">{w.temperature}</label>
          <select id="lf-temp" value={value('temperature')} onChange={pick('temperature')}>
            <option value="">{w.any}</option>
            {TEMPERATURES.map((t) => <option key={t} value={t}>{w.temps[t]}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="lf-min">{w.minScore}</label>
          <input id="lf-min" name="min_score" type="number" inputMode="numeric" class="short" defaultValue={value('min_score')} onChange={text('min_score')} />
        </div>
        <div class="field">
          <label for="lf-max">{w.maxScore}</label>
          <input id="lf-max" name="max_score" type="number" inputMode="numeric" class="short" defaultValue={value('max_score')} onChange={text('max_score')} />
        </div>
        <div class="field">
          <label for="lf-owner">{w.owner}</label>
          {ownerList.length ? (
            <select id="lf-owner" value={current} onChange={pick('owner')}>
              <option value="">{w.any}</option>
              {ownerList.map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
              {current && !ownerList.some((o) => o.id === current) && <option value={current}>{current}</option>}
            </select>
          ) : (
            <input id="lf-owner" name="owner" defaultValue={current} maxLength={40} onChange={text('owner')} />
          )}
        </div>
        <div class="field">
          <label for="lf-sales">{w.salesStatus}</label>
          <select id="lf-sales" value={value('sales_status')} onChange={pick('sales_status')}>
            <option value="">{w.any}</option>
            {SALES_STATUSES.map((s) => <option key={s} value={s}>{w.sales[s]}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="lf-magnet">{w.magnet}</label>
          <select id="lf-magnet" value={value('magnet')} onChange={pick('magnet')}>
            <option value="">{w.any}</option>
            {magnetList.map((m) => <option key={m.id} value={m.id}>{m.title || m.name || m.id}</option>)}
            {value('magnet') && !magnetList.some((m) => m.id === value('magnet')) && <option value={value('magnet')}>{value('magnet')}</option>}
          </select>
        </div>
        <div class="field">
          <label for="lf-country">{w.country}</label>
          <input id="lf-country" name="country" class="short" defaultValue={value('country')} maxLength={2} pattern="[A-Za-z]{2}" title={w.countryHint} autoComplete="off" onChange={text('country')} />
        </div>
        <div class="field">
          <label for="lf-industry">{w.industry}</label>
          <input id="lf-industry" name="industry" defaultValue={value('industry')} maxLength={60} onChange={text('industry')} />
        </div>
        <fieldset class="stages">
          <legend>{w.stage}</legend>
          {STAGES.map((s) => (
            <label key={s} class="check">
              <input type="checkbox" checked={stages.includes(s)} onChange={(e) => toggleStage(s, (e.target as HTMLInputElement).checked)} />
              {w.stages[s]}
            </label>
          ))}
        </fieldset>
      </div>
      <div class="toolbar actions">
        <button type="submit">{w.apply}</button>
        <button type="button" class="secondary" onClick={onReset}>{w.reset}</button>
      </div>
    </form>
  );
}
