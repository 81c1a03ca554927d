-- Adds the Storage bucket for rendered reports, `reports`: private, up to
-- 20 MB per file, only the formats the report-generate worker writes (HTML,
-- JSON, CSV, PDF, and the QR code PNG). Object names:
--   <account uuid>/<report uuid>/report.{html,json,csv,pdf}   market reports
--   <account uuid>/property/<id>/report.pdf and .../qr.png     property (CMA) reports
--   <account uuid>/consumer/<id>/report.pdf                    consumer reports
-- Who may do what: only the service role (the worker) writes and reads
-- objects here. Account members read through short-lived signed URLs that
-- the report-generate function hands out after the row's own RLS (members
-- of the report's account) let them see the report; there is deliberately
-- no storage.objects policy for this bucket, so no API role (anon,
-- authenticated, platform admins included) reads, lists, writes or signs
-- an object directly, and no listing of the bucket reveals which reports
-- exist. Invariant: a reports object is never public (public = false).

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('reports', 'reports', false, 20971520,
        array['text/html', 'application/json', 'text/csv', 'application/pdf', 'image/png'])
on conflict (id) do update
  set public = false, file_size_limit = excluded.file_size_limit, allowed_mime_types = excluded.allowed_mime_types;
