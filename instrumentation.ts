/**
 * Next.js calls register() once per server process: start the in-process worker there (self-hosted
 * `npm start`), so that an upload is processed with no other process running. When the database
 * is not reachable yet, try again every few seconds instead of refusing to start; when the
 * configuration cannot be used (FACTEUR_AUTH=none where others can reach it), do not start at all.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { serverConfig, startInProcessWorker } = await import('./src/http/runtime.ts');
  try {
    serverConfig();
  } catch (error) {
    // Closed by default: no server at all rather than one that answers every invoice to anyone.
    console.error(`facteur: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const attempt = (): void => {
    startInProcessWorker().catch((error: unknown) => {
      console.error(
        `facteur: the in-process worker could not start (${error instanceof Error ? error.message : String(error)}); retrying in 5 s`,
      );
      setTimeout(attempt, 5_000);
    });
  };
  attempt();
}
