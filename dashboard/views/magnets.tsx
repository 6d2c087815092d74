import { api } from '../api';
import { useWords } from '../i18n';
import { useCan } from '../session';
import { Empty, Show } from '../ui/states';
import { useLoad } from '../ui/use-load';
import type { ViewProps } from '../views';
import { MagnetCard } from './magnets/magnet';
import { WORDS, type Magnet } from './magnets/words';

/**
 * Lead magnets (GET /v1/magnets): config, the consent texts in use and their
 * earlier versions; with config:write a changed consent text is saved as a
 * new version (PUT /v1/magnets/:magnet), never over the old one.
 */
export default function MagnetsView(_: ViewProps) {
  const w = useWords(WORDS);
  const can = useCan();
  const [loaded, retry] = useLoad((signal) => api<{ magnets: Magnet[] }>('/v1/magnets', { signal }), []);
  return (
    <>
      <h1 tabIndex={-1}>{w.title}</h1>
      <p class="muted">{w.intro}</p>
      <Show loaded={loaded} retry={retry}>
        {({ magnets }) => (magnets.length ? (
          <div class="grid">{magnets.map((m) => <MagnetCard key={m.id} m={m} canEdit={can('config:write')} onSaved={retry} />)}</div>
        ) : (
          <Empty title={w.noMagnets}>
            <p>{w.noMagnetsText}</p>
            <pre class="code"><code>{'npx lodestone magnets put <site> whitepaper --config magnet.json\nnpx lodestone magnets upload <site> whitepaper whitepaper.pdf'}</code></pre>
            <p>{w.noMagnetsNext}</p>
          </Empty>
        ))}
      </Show>
    </>
  );
}
