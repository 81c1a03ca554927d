-- private.studio_start_project: one transaction prices the request, holds
-- the credits, creates the project and its AI jobs and queues them.
--   * the price comes from studio.job_prices (default model per service,
--     cheapest default when no service is named); unknown models and
--     services that do not offer a job type are refused (22023, by field);
--   * the payer must be an account the user belongs to (42501);
--   * too few credits: PT402 and nothing at all is left behind;
--   * the same user and key return the first project: charged once;
--   * a personal account gets the seed's 50 welcome credits once;
--   * photo edits of several images make one job (and one hold) per image.

begin;
select plan(28);

select tests.studio_data() as team \gset
select tests.get_supabase_uid('owner') as owner_id, tests.get_supabase_uid('stranger') as stranger_id,
       tests.studio_id('template', 'private') as private_tpl, tests.studio_id('listing', 'oak') as oak \gset

select tests.authenticate_as_service_role();

-- ---------------------------------------------------------------- pricing
select private.studio_start_project(:'owner_id', :'team', 'photo_edit', 'Priced', 'replicate', null, '{}', 'p-1') as started \gset
select results_eq(format($q$ select service::text, model, credit_cost, status::text from studio.ai_jobs where project_id = %L $q$, (:'started'::jsonb -> 'project' ->> 'id')),
  $$ values ('replicate'::text, 'black-forest-labs/flux-kontext-pro'::text, 6, 'pending'::text) $$,
  'a named service gets its default model at its price');
select is((:'started'::jsonb -> 'project' ->> 'credit_cost')::int, 6, 'the project quotes the price');
select private.studio_start_project(:'owner_id', :'team', 'photo_edit', 'Cheapest', null, null, '{}', 'p-2') -> 'project' ->> 'id' as cheapest \gset
select is((select service::text || ' ' || model || ' ' || credit_cost from studio.ai_jobs where project_id = :'cheapest'),
  'qwen qwen-image-edit 4', 'no service named: the cheapest default (qwen-image-edit, 4 credits)');
select throws_ok(format($q$ select private.studio_start_project(%L, %L, 'video', 'x', 'nano_banana', null, '{}', 'p-3') $q$, :'owner_id', :'team'),
  '22023', 'service: nano_banana does not offer video', 'a service without the job type is refused, naming the field');
select throws_ok(format($q$ select private.studio_start_project(%L, %L, 'video', 'x', 'qwen', 'sora-2', '{}', 'p-4') $q$, :'owner_id', :'team'),
  '22023', 'model: qwen has no video model "sora-2"', 'an unknown model is refused, naming the field');
select throws_ok(format($q$ select private.studio_start_project(%L, %L, 'template', '', null, null, '{}', 'p-5') $q$, :'owner_id', :'team'),
  '22023', 'name: 1 to 200 characters', 'a project has a name');
select throws_ok(format($q$ select private.studio_start_project(%L, %L, 'template', 'x', null, null, '{}', 'p-6', %L) $q$, :'stranger_id', :'stranger_id', :'private_tpl'),
  '22023', 'template_id: no such template', 'another agent''s private template cannot be used');
select throws_ok(format($q$ select private.studio_start_project(%L, %L, 'template', 'x', null, null, '{}', 'p-7', null, %L) $q$, :'stranger_id', :'stranger_id', :'oak'),
  '22023', 'listing_id: no such listing', 'nor another agent''s listing');
select throws_ok(format($q$ select private.studio_start_project(%L, %L, 'template', 'x', null, null, '[]', 'p-8') $q$, :'owner_id', :'team'),
  '22023', 'input: must be an object', 'input is an object');

-- ---------------------------------------------------------------- who pays
select throws_ok(format($q$ select private.studio_start_project(%L, %L, 'template', 'x', null, null, '{}', 'p-9') $q$, :'stranger_id', :'team'),
  '42501', 'account_id: you are not a member of this account', 'only members spend an account''s credits');
select lives_ok(format($q$ select private.studio_start_project(%L, %L, 'template', 'Team card', null, null, '{}', 'p-10') $q$, tests.get_supabase_uid('member'), :'team'),
  'any member of a team may spend its credits');

-- ---------------------------------------------------------------- no credits, no job
select tests.clear_authentication();
select tests.create_team('owner', 's-empty') as empty_team, tests.create_team('owner', 's-small') as small_team \gset
select private.credit_apply(:'small_team', 'credits', 12, 'grant', 's-small-fund') is not null as funded \gset
select count(*)::int as projects_before from studio.projects \gset
select count(*)::int as holds_before from public.credit_reservations \gset
select count(*)::int as jobs_before from public.jobs \gset
select balance - held as available from public.credit_balances where account_id = :'small_team' and pool = 'credits' \gset
select tests.authenticate_as_service_role();
select throws_ok(format($q$ select private.studio_start_project(%L, %L, 'video', 'Too much', 'replicate', null,
                           '{"durationSeconds": 5}', 'p-11') $q$, :'owner_id', :'empty_team'),
  'PT402', 'insufficient credits: 0 available, 40 needed', 'an account without credits is refused with PT402');
select throws_ok(format($q$ select private.studio_start_project(%L, %L, 'photo_edit', 'Three', 'nano_banana', null,
                           '{"images": [{"url": "https://x/1.jpg"}, {"url": "https://x/2.jpg"}, {"url": "https://x/3.jpg"}]}', 'p-12') $q$,
                        :'owner_id', :'small_team'),
  'PT402', 'insufficient credits: 12 available, 15 needed', 'three 5-credit photos on 12 credits: two would fit, the request is refused as a whole');
select tests.clear_authentication();
select results_eq(
  $$ select (select count(*)::int from studio.projects), (select count(*)::int from public.credit_reservations), (select count(*)::int from public.jobs) $$,
  format($q$ values (%s, %s, %s) $q$, :projects_before, :holds_before, :jobs_before),
  'a refused request leaves no project, no hold and no queued job');
select is((select balance - held from public.credit_balances where account_id = :'small_team' and pool = 'credits'), :available,
  'and holds nothing');

-- ---------------------------------------------------------------- idempotency
select tests.authenticate_as_service_role();
select private.studio_start_project(:'owner_id', :'team', 'video', 'Tour', 'qwen', null, '{"durationSeconds": 3}', 'p-13') as first \gset
select private.studio_start_project(:'owner_id', :'team', 'video', 'Tour again', 'qwen', null, '{"durationSeconds": 3}', 'p-13') as second \gset
select tests.clear_authentication();
select is(:'second'::jsonb -> 'project' ->> 'id', :'first'::jsonb -> 'project' ->> 'id', 'the same key returns the first project');
select is((:'second'::jsonb ->> 'replayed')::boolean, true, 'and says it was a replay');
select is((select count(*)::int from public.credit_reservations where reference_id in (select id::text from studio.ai_jobs where project_id = (:'first'::jsonb -> 'project' ->> 'id')::uuid)), 1,
  'one hold, however often it is asked');
select lives_ok(format($q$ select private.studio_start_project(%L, %L, 'video', 'Tour', 'qwen', null, '{}', 'p-13') $q$, :'stranger_id', :'stranger_id'),
  'keys are per user: another agent''s same key is a new project');

-- ---------------------------------------------------------------- welcome credits, several images
select tests.authenticate_as_service_role();
select private.studio_start_project(:'stranger_id', :'stranger_id', 'photo_edit', 'Three rooms', 'nano_banana', null,
  '{"style": "enhance", "images": [{"url": "https://x/1.jpg"}, {"url": "https://x/2.jpg"}, {"url": "https://x/3.jpg"}]}', 'p-14') as multi \gset
select tests.clear_authentication();
select is((select count(*)::int from public.credit_transactions where account_id = :'stranger_id' and idempotency_key = 'studio-welcome' and amount = 50), 1,
  'a personal account got its 50 welcome credits once');
select results_eq(format($q$ select count(*)::int, sum(credit_cost)::int, count(distinct reservation_id)::int, count(distinct queue_job_id)::int from studio.ai_jobs where project_id = %L $q$, :'multi'::jsonb -> 'project' ->> 'id'),
  $$ values (3, 15, 3, 3) $$, 'three images: three jobs, each with its own hold and queue entry');
select is((select input -> 'image' ->> 'url' from studio.ai_jobs where project_id = (:'multi'::jsonb -> 'project' ->> 'id')::uuid order by input -> 'image' ->> 'url' limit 1),
  'https://x/1.jpg', 'each job gets its own image');
select results_eq(format($q$ select balance, held from public.credit_balances where account_id = %L and pool = 'credits' $q$, :'stranger_id'),
  $$ values (50, 45) $$, 'the stranger''s 50 credits: 30 held for the video, 15 for the three photos');
select is((select count(*)::int from public.jobs q join studio.ai_jobs j on j.queue_job_id = q.id where j.project_id = (:'multi'::jsonb -> 'project' ->> 'id')::uuid
           and q.queue = 'studio.ai_job' and q.status = 'queued' and q.max_attempts = 3 and q.payload ->> 'ai_job_id' = j.id::text), 3,
  'queued on studio.ai_job with three attempts, the payload naming the AI job');
select ok((select bool_and(r.expires_at - r.created_at = interval '1 hour' and r.purpose = 'studio.photo_edit')
           from public.credit_reservations r join studio.ai_jobs j on j.reservation_id = r.id where j.project_id = (:'multi'::jsonb -> 'project' ->> 'id')::uuid),
  'holds outlive every retry (1 hour) and say what they are for');
select is((select count(*)::int from public.usage_events where account_id = :'stranger_id' and feature = 'studio.ai_job'), 2,
  'each project is metered against studio.ai_job');
select is((select count(*)::int from public.notifications n where n.user_id = :'owner_id' and n.type = 'credit_low'), 0,
  'no low-credit warning while team-a has plenty');
select is_empty($$ select * from private.credit_invariant_violations() $$, 'the ledger stays exact');

select * from finish();
rollback;
