// Writes a run's files into the caller's directory: data.json (the request body used), <name>.json and <name>.txt.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ReportFiles {
  dataJson: string;
  reportJson: string;
  reportText: string;
}

export function writeReport(
  outDir: string,
  name: string,
  requestBody: string,
  report: unknown,
  text: string,
): ReportFiles {
  mkdirSync(outDir, { recursive: true });
  const files = {
    dataJson: join(outDir, 'data.json'),
    reportJson: join(outDir, `${name}.json`),
    reportText: join(outDir, `${name}.txt`),
  };
  writeFileSync(files.dataJson, requestBody);
  writeFileSync(files.reportJson, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files.reportText, text);
  return files;
}

/** A plain text table: columns padded to their widest cell. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}
