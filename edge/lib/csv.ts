/**
 * CSV that is safe to open in a spreadsheet (RFC 4180 quoting plus formula
 * neutralisation). Pure: no I/O.
 */

/**
 * Text cells that a spreadsheet would run as a formula (= + - @, and tab or
 * carriage return, which some apps strip before parsing) get a leading
 * apostrophe, so "=HYPERLINK(…)" shows as text. Numbers stay numbers:
 * a negative score is data, not a formula.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly unknown[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}
