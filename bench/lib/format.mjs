// Text of the report: numbers as the table shows them, and aligned columns.

/** A number to `digits` decimals; a missing value as '-'. */
export const fmt = (value, digits = 1) =>
  value === null || value === undefined || Number.isNaN(value)
    ? '-'
    : typeof value === 'number'
      ? value.toFixed(digits)
      : String(value);

/** Lines of a table: the header, a rule, the rows; columns in `alignLeft` are padded on the right. */
export function table(header, rows, alignLeft = new Set([0])) {
  const cells = [header, ...rows].map((row) => row.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row) =>
    row
      .map((c, i) => (alignLeft.has(i) ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)];
}
