/**
 * Charts in plain HTML and SVG. Every chart here is a bar or a column
 * chart, which needs no library: a charting library would cost more bytes
 * than all the views together. Bars are HTML (their labels and numbers are
 * text a screen reader reads in order); columns are SVG with the numbers as
 * a table beside them.
 */

export interface Bar {
  label: string;
  value: number;
  /** Text after the value, e.g. a conversion rate. */
  note?: string;
  /** A CSS class for the bar's colour. */
  tone?: string;
}

/** Horizontal bars scaled to the largest value (or `max`). */
export function Bars({ bars, format, max, label }: { bars: Bar[]; format: (n: number) => string; max?: number; label: string }) {
  const top = max ?? Math.max(1, ...bars.map((b) => b.value));
  return (
    <ul class="bars" aria-label={label}>
      {bars.map((b) => (
        <li key={b.label}>
          <span class="bar-label">{b.label}</span>
          <span class="bar-track" aria-hidden="true">
            <span class={`bar-fill ${b.tone ?? ''}`} style={{ width: `${Math.max(0, Math.min(100, (b.value / top) * 100))}%` }} />
          </span>
          <span class="bar-value">{format(b.value)}</span>
          {b.note && <span class="bar-note">{b.note}</span>}
        </li>
      ))}
    </ul>
  );
}

export interface Column {
  label: string;
  value: number;
}

/** A column chart (e.g. per day), with its numbers in a table that can be opened. */
export function Columns({ columns, format, label, tableLabel }: { columns: Column[]; format: (n: number) => string; label: string; tableLabel: string }) {
  const top = Math.max(1, ...columns.map((c) => c.value));
  const w = 600;
  const h = 140;
  const gap = columns.length > 60 ? 0 : 1;
  const cw = columns.length ? w / columns.length : w;
  const total = columns.reduce((s, c) => s + c.value, 0);
  return (
    <figure class="columns">
      <svg viewBox={`0 0 ${w} ${h + 1}`} preserveAspectRatio="none" role="img" aria-label={`${label}: ${format(total)}`}>
        <line x1="0" x2={w} y1={h + 0.5} y2={h + 0.5} class="axis" />
        {columns.map((c, i) => {
          const ch = (c.value / top) * h;
          return (
            <rect key={c.label} x={i * cw + gap} y={h - ch} width={Math.max(0.5, cw - 2 * gap)} height={ch} class="column">
              <title>{`${c.label}: ${format(c.value)}`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption class="columns-range">
        <span>{columns[0]?.label}</span>
        <span>↑ {format(top)}</span>
        <span>{columns[columns.length - 1]?.label}</span>
      </figcaption>
      <details>
        <summary>{tableLabel}</summary>
        <table class="data">
          <tbody>
            {columns.filter((c) => c.value).map((c) => (
              <tr key={c.label}>
                <th scope="row">{c.label}</th>
                <td class="num">{format(c.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
