import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Multi-process and restart tests are slow on two cores; they own their timeouts.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
    projects: [
      {
        extends: true,
        // The CLI tests run bin/facteur.js, hence dist/: compiled first when a source is newer.
        test: { name: 'main', include: ['test/**/*.test.ts'], exclude: ['test/faults/**'], globalSetup: ['test/support/build-dist.ts'] },
      },
      {
        // The browser suites again, signed in (FACTEUR_AUTH=accounts, test/browser/support.ts): the
        // suites that choose their own auth mode (sign-in, live status on its own server) run once, in main.
        extends: true,
        test: {
          name: 'browser-signed-in',
          include: ['test/browser/**/*.test.ts'],
          exclude: ['test/browser/signin.test.ts', 'test/browser/live.test.ts'],
          env: { FACTEUR_BROWSER_AUTH: 'accounts' },
        },
      },
      {
        // Fault injection restarts the PostgreSQL server: one file at a time, after the main suites.
        extends: true,
        test: { name: 'faults', include: ['test/faults/**/*.test.ts'], fileParallelism: false },
      },
    ],
  },
});
