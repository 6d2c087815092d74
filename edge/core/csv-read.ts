import { InvalidInput } from './errors';

/**
 * Reading CSV uploads (RFC 4180: quoted cells, doubled quotes, line breaks
 * inside quotes, CRLF or LF), with the separator taken from the header line
 * (a ";" before any "," means the Excel dialect) and a byte order mark
 * dropped. A quote inside an unquoted cell is kept as a character, as
 * spreadsheets write them. Pure. Rows are records by header name; each keeps its line
 * number so a report can point at it.
 */

export interface CsvRecord {
  /** 1-based line of the file where the row starts (the header is line 1). */
  line: number;
  cells: Record<string, string>;
  /** Why this row cannot be read (its cells do not fit the header); the other rows still can. */
  error?: string;
}

const fail = (line: number, message: string) => new InvalidInput(`The CSV is invalid: line ${line} ${message}.`, [{ path: `/line/${line}`, message }]);

export function readCsv(text: string, maxRows: number): { header: string[]; rows: CsvRecord[] } {
  const src = text.replace(/^\uFEFF/, '');
  const firstLine = src.slice(0, src.search(/\r?\n|$/));
  const semi = firstLine.indexOf(';');
  const comma = firstLine.indexOf(',');
  const sep = semi !== -1 && (comma === -1 || semi < comma) ? ';' : ',';

  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let started = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell === '') {
      quoted = true;
      started = true;
    } else if (ch === sep) {
      cells.push(cell);
      cell = '';
      started = true;
    } else if (ch === '\r' && src[i + 1] === '\n') {
      continue;
    } else if (ch === '\n') {
      if (started || cell !== '') records.push({ line: rowLine, cells: [...cells, cell] });
      cells = [];
      cell = '';
      started = false;
      line++;
      rowLine = line;
      if (records.length > maxRows + 1) throw fail(line, `is past the limit of ${maxRows} rows`);
    } else {
      cell += ch;
      started = true;
    }
  }
  if (quoted) throw fail(rowLine, 'ends inside a quoted cell');
  if (started || cell !== '') records.push({ line: rowLine, cells: [...cells, cell] });
  if (records.length > maxRows + 1) throw fail(rowLine, `is past the limit of ${maxRows} rows`);

  const [head, ...body] = records;
  if (!head) throw fail(1, 'is missing: the first line must name the columns');
  const header = head.cells.map((h) => h.trim());
  const seen = new Set<string>();
  for (const h of header) {
    if (!h) throw fail(1, 'has an empty column name');
    if (seen.has(h)) throw fail(1, `names the column "${h}" twice`);
    seen.add(h);
  }
  const rows = body.map((r): CsvRecord => (r.cells.length !== header.length
    ? { line: r.line, cells: {}, error: `has ${r.cells.length} cells where the header has ${header.length}` }
    : { line: r.line, cells: Object.fromEntries(header.map((h, i) => [h, r.cells[i]!])) }));
  return { header, rows };
}
