/**
 * CSV that is safe to open in a spreadsheet (RFC 4180 quoting plus formula
 * neutralisation). Pure: no I/O.
 */

/**
 * `rfc4180`: UTF-8, comma, CRLF, decimal point (tools and scripts).
 * `excel`: UTF-8 with a byte order mark, semicolon, decimal comma, CRLF. Excel
 * reads a file without a BOM as the locale's code page (so "Müller" breaks),
 * and in the locales whose list separator is ";" (de, fr, es, it, nl, …) it
 * splits on ";" and reads "3794.5" as text or a date, so the comma is the
 * decimal mark there.
 */
export type CsvDialect = 'rfc4180' | 'excel';

/** Numbers in exports: at most this many decimals (scores carry float noise). */
export const CSV_DECIMALS = 2;

const SEPARATOR: Record<CsvDialect, string> = { rfc4180: ',', excel: ';' };

/** What starts an excel-dialect file: the UTF-8 byte order mark. */
export const csvPreamble = (dialect: CsvDialect): string => (dialect === 'excel' ? '\uFEFF' : '');

function formatNumber(n: number, dialect: CsvDialect): string {
  if (!Number.isFinite(n)) return '';
  const factor = 10 ** CSV_DECIMALS;
  // +0 turns -0 (a tiny negative rounded away) into 0.
  const text = String(Math.round(n * factor) / factor + 0);
  return dialect === 'excel' ? text.replace('.', ',') : text;
}

/**
 * Text cells that a spreadsheet would run as a formula (= + - @, and tab or
 * carriage return, which some apps strip before parsing) get a leading
 * apostrophe, so "=HYPERLINK(…)" shows as text. Numbers stay numbers:
 * a negative score is data, not a formula.
 */
export function csvCell(value: unknown, dialect: CsvDialect = 'rfc4180'): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return formatNumber(value, dialect);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  const special = dialect === 'excel' ? /[";\r\n]/ : /[",\r\n]/;
  return special.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly unknown[], dialect: CsvDialect = 'rfc4180'): string {
  return values.map((x) => csvCell(x, dialect)).join(SEPARATOR[dialect]) + '\r\n';
}
