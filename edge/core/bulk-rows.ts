import { readCsv } from './csv-read';
import { InvalidInput } from './errors';

/**
 * Reading an upload of many rows (a bulk write-back, a lead import): a JSON
 * array, NDJSON or CSV, each row with the line a report can point at. A row
 * that cannot be read carries its error and the others still can; a file
 * that cannot be read at all is an InvalidInput. Pure.
 */

export const BULK_LIMITS = { rows: 10_000, bytes: 5 * 1024 * 1024 } as const;

export type BulkFormat = 'json' | 'ndjson' | 'csv';

/** Upload formats by media type. */
export const BULK_TYPES: Readonly<Record<string, BulkFormat>> = { 'application/json': 'json', 'application/x-ndjson': 'ndjson', 'text/csv': 'csv' };

/** One row as read from the file, before its fields are checked. */
export interface RawRow {
  line: number;
  input: unknown;
  error?: string;
}

const tooMany = () => new InvalidInput(`The body has more than ${BULK_LIMITS.rows} rows.`, [{ path: '/', message: `must have at most ${BULK_LIMITS.rows} rows` }]);

/** CSV cells are text: a number only in the columns `numeric` names, and an empty cell says nothing. */
function fromCells(cells: Record<string, string>, numeric: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, raw] of Object.entries(cells)) {
    const cell = raw.trim();
    if (cell === '') continue;
    out[k] = numeric.has(k) && /^-?\d+([.,]\d+)?$/.test(cell) ? Number(cell.replace(',', '.')) : cell;
  }
  return out;
}

export function parseRows(text: string, format: BulkFormat, opts: { numeric?: readonly string[] } = {}): RawRow[] {
  if (format === 'csv') {
    const numeric = new Set(opts.numeric ?? []);
    return readCsv(text, BULK_LIMITS.rows).rows.map((r) => ({ line: r.line, input: fromCells(r.cells, numeric), ...(r.error ? { error: r.error } : {}) }));
  }
  if (format === 'ndjson') {
    const rows: RawRow[] = [];
    text.split('\n').forEach((l, i) => {
      if (!l.trim()) return;
      try {
        rows.push({ line: i + 1, input: JSON.parse(l) });
      } catch {
        rows.push({ line: i + 1, input: null, error: 'is not valid JSON' });
      }
    });
    if (rows.length > BULK_LIMITS.rows) throw tooMany();
    return rows;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new InvalidInput('The body is not valid JSON.', [{ path: '/', message: 'must be a JSON array of rows' }]);
  }
  if (!Array.isArray(data)) throw new InvalidInput('The body is invalid: / must be a JSON array of rows.', [{ path: '/', message: 'must be a JSON array of rows' }]);
  if (data.length > BULK_LIMITS.rows) throw tooMany();
  // Line = position in the array (1-based), the closest a JSON array has to a line.
  return data.map((input, i) => ({ line: i + 1, input }));
}
