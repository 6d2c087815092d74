import { api } from '../api';
import { useFormat, useWords } from '../i18n';
import { href } from '../router';
import { useCan } from '../session';
import { Empty, Show } from '../ui/states';
import { useLoad } from '../ui/use-load';
import type { ViewProps } from '../views';
import { Owners, type Owner } from './sales/owners';
import { Settings, type SalesSettings } from './sales/settings';
import { WORDS } from './sales/words';

interface Waiting { id: string; email: string; firstName: string | null; company: string | null; ownerId: string | null; assignedAt: number | null; slaDueAt: number | null; overdue: boolean }
interface WaitingAnswer { at: string; leads: Waiting[]; overdue: number; more: boolean }

/**
 * Sales: the team and its routing (GET/PUT /v1/owners, /v1/sales/settings;
 * editable with config:write), the leads waiting for their owner's answer
 * and the ones whose deadline passed (GET /v1/sales/waiting).
 */
export default function SalesView(_: ViewProps) {
  const w = useWords(WORDS);
  const f = useFormat();
  const can = useCan();
  const [loaded, retry] = useLoad(async (signal) => {
    const [owners, settings, waiting] = await Promise.all([
      api<{ owners: Owner[] }>('/v1/owners', { signal }),
      api<SalesSettings>('/v1/sales/settings', { signal }),
      api<WaitingAnswer>('/v1/sales/waiting', { signal }),
    ]);
    return { owners: owners.owners, settings, waiting };
  }, []);
  return (
    <>
      <h1 tabIndex={-1}>{w.title}</h1>
      <p class="muted">{w.intro}</p>
      <Show loaded={loaded} retry={retry}>
        {({ owners, settings, waiting }) => {
          const names = new Map(owners.map((o) => [o.id, o.name]));
          const missed = waiting.leads.filter((l) => l.overdue);
          const open = waiting.leads.filter((l) => !l.overdue);
          const now = Date.parse(waiting.at);
          return (
            <>
              <ul class="kpis">
                <li><span class="kpi-value">{f.number(waiting.leads.length)}{waiting.more ? '+' : ''}</span>{w.kpiWaiting}</li>
                <li><span class="kpi-value">{f.number(waiting.overdue)}</span>{w.kpiOverdue}</li>
                <li><span class="kpi-value">{f.number(owners.filter((o) => o.active).length)}</span>{w.kpiOwners}</li>
                <li><span class="kpi-value">{w.hours(f.number(settings.settings.slaHours))}</span>{w.kpiDeadline}</li>
              </ul>
              <div class="grid">
                {missed.length > 0 && (
                  <section class="card wide" aria-labelledby="sl-missed">
                    <h2 id="sl-missed">{w.missed}</h2>
                    <p class="muted">{w.missedNote}</p>
                    <WaitingTable leads={missed} names={names} now={now} />
                  </section>
                )}
                <section class="card wide" aria-labelledby="sl-waiting">
                  <h2 id="sl-waiting">{w.waiting}</h2>
                  <p class="muted">{w.waitingNote}</p>
                  {open.length ? <WaitingTable leads={open} names={names} now={now} /> : (
                    <Empty title={w.noWaiting}>
                      <p>{w.noWaitingNext}</p>
                    </Empty>
                  )}
                  {!missed.length && <p class="muted">{w.noMissed}</p>}
                  {waiting.more && <p class="notice">{w.more}</p>}
                  {waiting.leads.length > 0 && <p><a href={`${href('leads')}?sales_status=open`}>{w.openList}</a></p>}
                </section>
                <Owners owners={owners} canEdit={can('config:write')} onSaved={retry} />
                <Settings data={settings} canEdit={can('config:write')} onSaved={retry} />
              </div>
            </>
          );
        }}
      </Show>
    </>
  );
}

function WaitingTable({ leads, names, now }: { leads: Waiting[]; names: Map<string, string>; now: number }) {
  const w = useWords(WORDS);
  const f = useFormat();
  return (
    <div class="table-wrap">
      <table class="data stack">
        <thead>
          <tr><th scope="col">{w.lead}</th><th scope="col">{w.owner}</th><th scope="col">{w.assigned}</th><th scope="col">{w.deadline}</th><th scope="col">{w.state}</th></tr>
        </thead>
        <tbody>
          {leads.map((l) => (
            <tr key={l.id}>
              <td data-label={w.lead} class="break">
                <span>
                  <a href={href('leads', l.id)}>{l.company || l.firstName || l.email}</a>
                  {(l.company || l.firstName) && <><br /><span class="muted">{l.email}</span></>}
                </span>
              </td>
              <td data-label={w.owner}>{l.ownerId ? names.get(l.ownerId) ?? l.ownerId : '–'}</td>
              <td data-label={w.assigned}>{f.dateTime(l.assignedAt)}</td>
              <td data-label={w.deadline}>{f.dateTime(l.slaDueAt)}</td>
              <td data-label={w.state}>
                <span>{l.slaDueAt === null ? w.noDeadline : l.overdue
                  ? <span class="badge hot">{w.overdueBy(f.duration(now - l.slaDueAt))}</span>
                  : <span class="badge cold">{w.dueIn(f.duration(l.slaDueAt - now))}</span>}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
