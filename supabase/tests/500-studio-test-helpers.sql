-- Helpers shared by the Studio pgTAP files (500-599). Created outside the
-- rolled-back transaction so later files can use them (idempotent). The
-- role probes are the shared tests.probe / tests.rights of
-- 000-setup-test-helpers.sql ('read rows=1, insert 42501, update rows=0, delete rows=0').
--
--   tests.studio_data() -> uuid (the team account 'team-a')
--     Studio rows on top of the shared cast (tests.fixture()):
--       owner          an agent, owner of team-a (which pays for their work)
--       admin, member  other members of team-a
--       stranger       a signed-in agent outside team-a
--       platform_admin a platform admin (seed role 'admin') outside team-a
--     team-a holds 500 credits. owner has a private template, a contact
--     (Maria) and a listing (Oak) linked to her; stranger has a public
--     template. Two photo edits of owner paid by team-a, using the public
--     template and linked to Oak and Maria: 's-done' (completed by worker
--     's-worker': one media item) and 's-running' (claimed, processing).
--   tests.studio_id(kind, key) -> uuid of a fixture row:
--     ('template', 'private' | 'public'), ('contact', 'maria'), ('listing', 'oak'),
--     ('project', 's-done' | 's-running'), ('job', 's-done' | 's-running'), ('media', 's-done')

set client_min_messages = warning;

create schema if not exists tests;

create or replace function tests.studio_data()
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_team uuid;
  v_owner uuid;
  v_contact uuid;
  v_listing uuid;
  v_public uuid;
  v_job record;
  v_done jsonb;
begin
  v_team := tests.fixture();
  v_owner := tests.get_supabase_uid('owner');
  perform private.credit_apply(v_team, 'credits', 500, 'grant', 's-fund', 'studio test credits');

  insert into studio.templates (user_id, name, type, is_public) values (v_owner, 'Own private', 'custom', false);
  insert into studio.templates (user_id, name, type, is_public, prompt_template)
  values (tests.get_supabase_uid('stranger'), 'Stranger public', 'listing_promo', true, 'Just listed: {{address}}')
  returning id into v_public;
  insert into studio.crm_contacts (user_id, name, email, type) values (v_owner, 'Maria', 'maria@example.com', 'seller')
  returning id into v_contact;
  insert into studio.crm_listings (user_id, contact_id, address, price) values (v_owner, v_contact, '1 Oak St', 500000)
  returning id into v_listing;

  -- Other queued studio jobs (demo data) wait, so the fixture's worker claims only its own.
  update public.jobs set run_at = now() + interval '1 day' where queue = 'studio.ai_job' and status = 'queued';
  v_done := private.studio_start_project(v_owner, v_team, 'photo_edit', 'Done edit', 'nano_banana', null,
    '{"style": "enhance"}', 's-done', v_public, v_listing, v_contact);
  perform private.studio_start_project(v_owner, v_team, 'photo_edit', 'Running edit', 'nano_banana', null,
    '{"style": "twilight"}', 's-running', v_public, v_listing, null);
  for v_job in select * from private.studio_claim_jobs('s-worker', 10) loop
    if v_job.project_id = (v_done -> 'project' ->> 'id')::uuid then
      perform private.studio_complete_job(v_job.queue_job_id, 's-worker', 'http://storage.test/s-done.png',
        '{"mode": "local"}', 42, 0, jsonb_build_object('storage_path', v_owner || '/s-done.png', 'mime_type', 'image/png', 'file_size', 1234));
    end if;
  end loop;
  return v_team;
end;
$$;

create or replace function tests.studio_id(kind text, key text)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select case kind
    when 'template' then (select t.id from studio.templates t where t.name = case key when 'private' then 'Own private' else 'Stranger public' end
                          order by t.created_at desc limit 1)
    when 'contact' then (select c.id from studio.crm_contacts c where c.name = 'Maria' and c.email = 'maria@example.com' order by c.created_at desc limit 1)
    when 'listing' then (select l.id from studio.crm_listings l where l.address = '1 Oak St' order by l.created_at desc limit 1)
    when 'project' then (select p.id from studio.projects p where p.idempotency_key = key order by p.created_at desc limit 1)
    when 'job' then (select j.id from studio.ai_jobs j join studio.projects p on p.id = j.project_id where p.idempotency_key = key order by p.created_at desc limit 1)
    when 'media' then (select m.id from studio.media_items m join studio.projects p on p.id = m.project_id where p.idempotency_key = key order by p.created_at desc limit 1)
  end;
$$;

grant usage on schema tests to anon, authenticated, service_role;
grant execute on function tests.studio_id(text, text) to anon, authenticated, service_role;
revoke execute on function tests.studio_data() from public, anon, authenticated, service_role;

begin;
select plan(7);

select has_function('tests', 'studio_data', 'tests.studio_data() exists');
select tests.studio_data() as team \gset
select is((select status::text from studio.projects where id = tests.studio_id('project', 's-done')), 'completed',
  'the fixture''s first project is completed');
select is((select status::text from studio.projects where id = tests.studio_id('project', 's-running')), 'processing',
  'the second is being processed');
select is((select count(*)::int from studio.media_items where id = tests.studio_id('media', 's-done')), 1,
  'the completed project has its media item');
select results_eq(
  format($q$ select balance, held from public.credit_balances where account_id = %L and pool = 'credits' $q$, :'team'),
  $$ values (495, 5) $$, 'team-a paid 5 credits for the done edit and holds 5 for the running one');
select is((select usage_count from studio.templates where id = tests.studio_id('template', 'public')), 2,
  'both projects used the public template');
select is_empty($$ select * from private.credit_invariant_violations() $$, 'the fixture leaves the ledger exact');

select * from finish();
rollback;
