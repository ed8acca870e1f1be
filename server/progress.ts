/** Numbers for the progress view: rows per status and per coder, rows coded per day, dated rows for a timeline. */
import type { DatasetCatalog, ReadModel } from './storage';

export async function progress(datasets: DatasetCatalog, readModel: ReadModel, datasetId: string) {
  const sheets = await datasets.sheets(datasetId);
  const { statusCounts, coders, days, timeline } = await readModel.progress(datasetId, sheets);
  return {
    sheets: sheets.map((sheet) => {
      const statuses: Record<string, number> = { unreviewed: 0, approved: 0, flagged: 0 };
      for (const s of statusCounts) if (s.sheet === sheet.id) statuses[s.status] = s.n;
      return { id: sheet.id, name: sheet.name, rowCount: sheet.rowCount, statuses };
    }),
    coders,
    days,
    timeline,
  };
}
