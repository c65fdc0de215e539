// Apart from databases.ts, which loads Facteur's sources: the queue benchmark's worker process uses
// this with Facteur compiled.

/** A URL whose sessions use `schema` first: tests in separate schemas of one database never meet. */
export function urlWithSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}
