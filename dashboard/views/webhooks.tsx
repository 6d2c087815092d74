import { useState } from 'preact/hooks';
import { api } from '../api';
import { useWords } from '../i18n';
import { useCan } from '../session';
import { Show } from '../ui/states';
import { useLoad } from '../ui/use-load';
import type { ViewProps } from '../views';
import { DeadLetters, Deliveries } from './webhooks/deliveries';
import { Endpoints } from './webhooks/endpoints';
import { WORDS, type Endpoint, type Segment } from './webhooks/words';

/**
 * Webhooks: the endpoints (GET /v1/webhooks; add, edit, delete with
 * config:write), the dead letters with Replay, and the recent deliveries
 * with a status filter (GET /v1/webhooks/deliveries).
 */
export default function WebhooksView({ route }: ViewProps) {
  const w = useWords(WORDS);
  const can = useCan();
  const [tick, setTick] = useState(0);
  const [loaded, retry] = useLoad(async (signal) => {
    const [endpoints, segments] = await Promise.all([
      api<{ endpoints: Endpoint[] }>('/v1/webhooks', { signal }),
      api<{ segments: Segment[] }>('/v1/segments', { signal }).catch(() => ({ segments: [] as Segment[] })),
    ]);
    return { endpoints: endpoints.endpoints, segments: segments.segments };
  }, []);
  return (
    <>
      <h1 tabIndex={-1}>{w.title}</h1>
      <p class="muted">{w.intro}</p>
      <Show loaded={loaded} retry={retry}>
        {({ endpoints, segments }) => (
          <div class="grid">
            <Endpoints endpoints={endpoints} segments={segments} canEdit={can('config:write')} onChanged={retry} />
            {can('leads:read') && <DeadLetters endpoints={endpoints} canReplay={can('config:write')} tick={tick} onReplayed={() => setTick((t) => t + 1)} />}
            {can('leads:read') && <Deliveries route={route} endpoints={endpoints} tick={tick} />}
          </div>
        )}
      </Show>
    </>
  );
}
