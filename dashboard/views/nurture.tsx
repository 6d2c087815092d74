import { api } from '../api';
import { useFormat, useWords } from '../i18n';
import { Empty, Show } from '../ui/states';
import { useLoad } from '../ui/use-load';
import type { ViewProps } from '../views';
import { Sequence, type SequenceSummary } from './nurture/sequence';
import { WORDS } from './nurture/words';

interface NurtureSettings { minGapHours: number; sendsPerMinute: number; timeZone: string }

/**
 * Nurture: every sequence with its step numbers (GET /v1/sequences,
 * /v1/sequences/:id/stats) and the site's sending rules (GET /v1/nurture-settings, read-only here).
 */
export default function NurtureView(_: ViewProps) {
  const w = useWords(WORDS);
  const f = useFormat();
  const [loaded, retry] = useLoad(async (signal) => {
    const [sequences, settings, magnets] = await Promise.all([
      api<{ sequences: SequenceSummary[] }>('/v1/sequences', { signal }),
      api<NurtureSettings>('/v1/nurture-settings', { signal }),
      api<{ magnets: { id: string; title: string }[] }>('/v1/magnets', { signal }).catch(() => ({ magnets: [] })),
    ]);
    return { sequences: sequences.sequences, settings, magnets: magnets.magnets };
  }, []);
  return (
    <>
      <h1 tabIndex={-1}>{w.title}</h1>
      <p class="muted">{w.intro}</p>
      <Show loaded={loaded} retry={retry}>
        {({ sequences, settings, magnets }) => (
          <div class="grid">
            {!sequences.length && (
              <section class="card wide">
                <Empty title={w.noSequences}>
                  <p>{w.noSequencesText}</p>
                  <pre class="code"><code>npx lodestone sequences set after-whitepaper after-whitepaper.json{'\n'}npx lodestone sequences list</code></pre>
                  <p>{w.noSequencesNext}</p>
                </Empty>
              </section>
            )}
            {sequences.map((s) => <Sequence key={s.id} s={s} magnetTitle={(id) => magnets.find((m) => m.id === id)?.title ?? id} />)}
            <section class="card wide" aria-labelledby="nu-settings">
              <h2 id="nu-settings">{w.settings}</h2>
              <dl class="settings-list">
                <div><dt>{w.minGap}</dt><dd>{w.hours(f.number(settings.minGapHours))}</dd></div>
                <div><dt>{w.sendRate}</dt><dd>{w.perMinute(f.number(settings.sendsPerMinute))}</dd></div>
                <div><dt>{w.timeZone}</dt><dd>{settings.timeZone}</dd></div>
              </dl>
              <p class="muted">{w.defaultNote}</p>
            </section>
          </div>
        )}
      </Show>
    </>
  );
}
