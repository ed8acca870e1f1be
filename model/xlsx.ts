/** What the browser's import preview and the server's XLSX reader share about a workbook's parts. */

/** Where a relationship target points inside the zip, relative to the part whose relationships name it. */
export function resolvePartPath(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = base.split('/').slice(0, -1);
  for (const piece of target.split('/')) {
    if (piece === '..') parts.pop();
    else if (piece !== '.') parts.push(piece);
  }
  return parts.join('/');
}
