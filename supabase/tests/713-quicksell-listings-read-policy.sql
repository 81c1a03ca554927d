-- The signed-in read policy on quicksell.listings, rewritten as a CASE by
-- 20261202380000_quicksell_listings_read_policy_speed.sql, shows exactly the
-- rows the OR it replaced showed:
--   (status in ('published','sold') and deleted_at is null)
--   or user_id = auth.uid() or is_platform_admin()
-- The old rule is evaluated here as the table owner, for each caller, over
-- every fixture listing (published, draft, sold, delisted, soft-deleted,
-- archived, another seller's draft), and compared with what that caller
-- reads under RLS. Includes the case the CASE handles differently in form:
-- a signed-in request without a `sub` claim (auth.uid() NULL), where each
-- WHEN falls through and only the public rows remain.

begin;
select plan(7);

select tests.quicksell_data() as seller \gset
select tests.qs_in(array['listing:pub', 'listing:draft', 'listing:sold', 'listing:delisted', 'listing:deleted',
                         'listing:archived', 'listing:rival']) as ids \gset

create function pg_temp.old_rule(p_user uuid, p_ids text)
returns text
language plpgsql
as $$
declare
  v text;
begin
  execute format($q$
    select array(select l.id from quicksell.listings l where l.id in %s
                 and ((l.status in ('published', 'sold') and l.deleted_at is null)
                      or l.user_id = %L::uuid
                      or exists (select 1 from public.platform_admins pa where pa.user_id = %L::uuid))
                 order by l.id)::text $q$, p_ids, p_user, p_user) into v;
  return v;
end;
$$;

select pg_temp.old_rule(tests.get_supabase_uid('owner'), :'ids') as want_owner,
       pg_temp.old_rule(tests.get_supabase_uid('rival'), :'ids') as want_rival,
       pg_temp.old_rule(tests.get_supabase_uid('stranger'), :'ids') as want_stranger,
       pg_temp.old_rule(tests.get_supabase_uid('member'), :'ids') as want_member,
       pg_temp.old_rule(tests.get_supabase_uid('platform_admin'), :'ids') as want_platform_admin,
       pg_temp.old_rule(null, :'ids') as want_no_sub \gset

-- The expectations are not vacuous: they differ by caller as the spec says.
select is(format('owner=%s rival=%s stranger=%s member=%s platform_admin=%s no_sub=%s',
                 cardinality(:'want_owner'::uuid[]), cardinality(:'want_rival'::uuid[]), cardinality(:'want_stranger'::uuid[]),
                 cardinality(:'want_member'::uuid[]), cardinality(:'want_platform_admin'::uuid[]), cardinality(:'want_no_sub'::uuid[])),
          'owner=6 rival=3 stranger=2 member=2 platform_admin=7 no_sub=2', 'the old rule shows each caller what the spec says');

select format('select array(select id from quicksell.listings where id in %s order by id)::text', :'ids') as read_ids \gset

select tests.authenticate_as('owner');
select is((:read_ids), :'want_owner', 'the seller reads what the old rule showed him: the market and all six of his');
select tests.authenticate_as('rival');
select is((:read_ids), :'want_rival', 'another seller reads the market and his own draft, as before');
select tests.authenticate_as('stranger');
select is((:read_ids), :'want_stranger', 'a stranger reads the market only, as before');
select tests.authenticate_as('member');
select is((:read_ids), :'want_member', 'the buyer of the sold listing reads the market only, as before');
select tests.authenticate_as('platform_admin');
select is((:read_ids), :'want_platform_admin', 'a platform admin reads every listing, deleted and drafts too, as before');

select tests.clear_authentication();
select set_config('request.jwt.claims', json_build_object('role', 'authenticated')::text, true),
       set_config('role', 'authenticated', true);
select is((:read_ids), :'want_no_sub', 'signed in without a sub claim (auth.uid() null): only the market, as before');
select tests.clear_authentication();

select * from finish();
rollback;
