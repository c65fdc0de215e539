-- Optional, for Supabase projects whose Vercel plan cannot run a cron every minute (Hobby runs
-- crons once a day): let the database call Facteur's worker endpoint every minute instead, with
-- pg_cron and pg_net. Uploads are processed at once anyway (each upload kicks a tick); this is
-- the safety net for retries and for anything a kick missed.
--
-- Not applied by `facteur migrate` or `supabase db push`: run it once in the SQL editor after
-- replacing the two placeholders, or turn it into a migration of your own.
--   https://YOUR-APP.vercel.app  your deployment's URL
--   YOUR-CRON-SECRET             the CRON_SECRET set on Vercel (kept in Vault, not in this text)

CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE EXTENSION IF NOT EXISTS pg_net;

SELECT vault.create_secret('YOUR-CRON-SECRET', 'facteur_cron_secret');

-- pg_net gives up waiting after its timeout; the tick itself goes on running on Vercel.
SELECT cron.schedule(
  'facteur-worker-tick',
  '* * * * *',
  $$
  SELECT net.http_post(
    url := 'https://YOUR-APP.vercel.app/api/queue/worker',
    headers := jsonb_build_object(
      'Authorization', 'Bearer ' || (SELECT decrypted_secret FROM vault.decrypted_secrets WHERE name = 'facteur_cron_secret')
    ),
    timeout_milliseconds := 2000
  );
  $$
);

-- To stop it: SELECT cron.unschedule('facteur-worker-tick');
