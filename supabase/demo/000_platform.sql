-- Demo data for the local stack (loaded by `npm start` into an empty
-- database, never by `supabase db push`). Every demo user signs in with the
-- password `domus-demo-password`.
--
-- People (ids end in the digit shown):
--   1 alice  owner of Acme Realty            6 frank  member of Harbor Homes, affiliate of Acme
--   2 bob    admin of Acme Realty            7 grace  owner of Northwind Mortgage (affiliate, sponsors Harbor)
--   3 carol  member of Acme and Harbor       8 heidi  solo
--   4 dave   owner of Harbor Homes           9 ivan   solo, platform admin
--   5 erin   admin of Harbor Homes           10 judy  solo, platform (support) admin
-- Later issues append their products' demo rows below, keeping every table
-- populated and owned by more than one user or account.

begin;

create temporary table demo_people (n int, name text, email text, id uuid) on commit drop;
insert into demo_people (n, name, email) values
  (1, 'Alice Adams', 'alice@demo.domus.dev'),
  (2, 'Bob Brown', 'bob@demo.domus.dev'),
  (3, 'Carol Chen', 'carol@demo.domus.dev'),
  (4, 'Dave Diaz', 'dave@demo.domus.dev'),
  (5, 'Erin Evans', 'erin@demo.domus.dev'),
  (6, 'Frank Fischer', 'frank@demo.domus.dev'),
  (7, 'Grace Green', 'grace@demo.domus.dev'),
  (8, 'Heidi Hart', 'heidi@demo.domus.dev'),
  (9, 'Ivan Ito', 'ivan@demo.domus.dev'),
  (10, 'Judy Jones', 'judy@demo.domus.dev');
update demo_people set id = ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid;

-- Sign-up as GoTrue does it: auth.users + an email identity. The sign-up
-- trigger creates each profile, personal account and owner membership.
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at, last_sign_in_at
)
select '00000000-0000-0000-0000-000000000000', id, 'authenticated', 'authenticated', email,
       extensions.crypt('domus-demo-password', extensions.gen_salt('bf', 6)), now(),
       '{"provider":"email","providers":["email"]}'::jsonb,
       jsonb_build_object('full_name', name),
       now() - make_interval(days => 60 - n), now(), now() - make_interval(hours => n)
from demo_people;

insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at)
select id::text, id, jsonb_build_object('sub', id::text, 'email', email, 'email_verified', true), 'email', now()
from demo_people;

-- One live session per user, so demo tokens carry a real session_id.
insert into auth.sessions (id, user_id, user_agent, ip)
select ('00000000-0000-4000-9000-' || lpad(n::text, 12, '0'))::uuid, id, 'demo', '127.0.0.1'
from demo_people;

update public.profiles p set
  username = split_part(d.email, '@', 1),
  first_name = split_part(d.name, ' ', 1),
  last_name = split_part(d.name, ' ', 2),
  brokerage = case when d.n in (1, 2, 3) then 'Acme Realty' when d.n in (4, 5, 6) then 'Harbor Homes' end,
  market = case when d.n % 2 = 0 then 'Cape Town' else 'Austin, TX' end,
  marketplace_role = case when d.n in (1, 4) then 'seller' when d.n in (8, 10) then 'buyer' else 'dual' end,
  phone = '+1 512 555 01' || lpad(d.n::text, 2, '0'),
  bio = 'Demo user ' || d.name || '.'
from demo_people d where d.id = p.id;

insert into public.platform_admins (user_id, granted_by, note) values
  ('00000000-0000-4000-8000-000000000009', null, 'demo platform admin'),
  ('00000000-0000-4000-8000-000000000010', '00000000-0000-4000-8000-000000000009', 'demo support admin');

-- Team and affiliate accounts.
insert into public.accounts (id, name, slug, account_type, primary_owner_user_id, sponsor_account_id, branding) values
  ('10000000-0000-4000-8000-000000000003', 'Northwind Mortgage', 'northwind-mortgage', 'affiliate',
   '00000000-0000-4000-8000-000000000007', null,
   '{"brand_display_name":"Northwind","primary_color":"#0f766e","accent_color":"#f59e0b"}'),
  ('10000000-0000-4000-8000-000000000001', 'Acme Realty', 'acme-realty', 'team',
   '00000000-0000-4000-8000-000000000001', null,
   '{"primary_color":"#1d4ed8","accent_color":"#f97316"}'),
  ('10000000-0000-4000-8000-000000000002', 'Harbor Homes', 'harbor-homes', 'team',
   '00000000-0000-4000-8000-000000000004', '10000000-0000-4000-8000-000000000003',
   '{"primary_color":"#0369a1"}');

insert into public.account_memberships (account_id, user_id, role, invited_by) values
  ('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001', 'owner', null),
  ('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', 'admin', '00000000-0000-4000-8000-000000000001'),
  ('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000003', 'member', '00000000-0000-4000-8000-000000000002'),
  ('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000006', 'affiliate', '00000000-0000-4000-8000-000000000001'),
  ('10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000004', 'owner', null),
  ('10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000005', 'admin', '00000000-0000-4000-8000-000000000004'),
  ('10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000006', 'member', '00000000-0000-4000-8000-000000000005'),
  ('10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003', 'member', '00000000-0000-4000-8000-000000000004'),
  ('10000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000007', 'owner', null);

-- Pending and accepted invitations (tokens are random and unknown: only hashes are stored).
insert into public.invitations (account_id, role, email, token_hash, invited_by, expires_at, accepted_by, accepted_at) values
  ('10000000-0000-4000-8000-000000000001', 'member', 'newhire@demo.domus.dev',
   private.hash_token('demo-invitation-acme'), '00000000-0000-4000-8000-000000000002', now() + interval '5 days', null, null),
  ('10000000-0000-4000-8000-000000000002', 'admin', null,
   private.hash_token('demo-invitation-harbor'), '00000000-0000-4000-8000-000000000004', now() + interval '3 days', null, null),
  ('10000000-0000-4000-8000-000000000002', 'member', 'frank@demo.domus.dev',
   private.hash_token('demo-invitation-harbor-frank'), '00000000-0000-4000-8000-000000000005', now() + interval '2 days',
   '00000000-0000-4000-8000-000000000006', now() - interval '10 days');

do $$
begin
  perform private.notify(d.id, 'system', 'Welcome to Domus', 'Your account is ready, ' || split_part(d.name, ' ', 1) || '.')
  from demo_people d;
  perform private.notify('00000000-0000-4000-8000-000000000001', 'member_joined', 'New team member',
    'Frank Fischer joined Acme Realty as affiliate.', 'platform', null, '{}'::jsonb, '10000000-0000-4000-8000-000000000001');
  perform private.notify('00000000-0000-4000-8000-000000000005', 'member_joined', 'New team member',
    'Frank Fischer accepted your invitation to Harbor Homes.', 'platform', null, '{}'::jsonb, '10000000-0000-4000-8000-000000000002');
end
$$;
update public.notifications set read = true
where user_id in ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000005') and type = 'system';

insert into public.analytics_events (user_id, account_id, product, event_type, event_name, context, event_data, session_id, user_agent, created_at)
select d.id,
       case when d.n in (1, 2, 3) then '10000000-0000-4000-8000-000000000001'::uuid
            when d.n in (4, 5, 6) then '10000000-0000-4000-8000-000000000002'::uuid end,
       (select array_agg(code order by sort_order) from public.products)[1 + (d.n + g) % (select count(*)::int from public.products)],
       (array['page_view', 'search', 'listing_view', 'sign_in'])[1 + g % 4],
       'demo event ' || g,
       jsonb_build_object('page', '/demo/' || g),
       jsonb_build_object('seq', g),
       'demo-session-' || d.n, 'demo-agent', now() - make_interval(hours => d.n * 3 + g)
from demo_people d cross join generate_series(1, 3) g;

insert into public.login_attempts (email, user_id, success, ip_address, user_agent, failure_reason, attempted_at)
select d.email, d.id, g <> 2, ('198.51.100.' || d.n)::inet, 'demo-agent',
       case when g = 2 then 'invalid_password' end, now() - make_interval(days => g, hours => d.n)
from demo_people d cross join generate_series(1, 3) g;
insert into public.login_attempts (email, success, ip_address, failure_reason)
values ('nobody@demo.domus.dev', false, '203.0.113.9', 'unknown_email');

-- Two signed-out sessions (their tokens are refused from now on).
insert into auth.sessions (id, user_id, user_agent) values
  ('00000000-0000-4000-9100-000000000001', '00000000-0000-4000-8000-000000000001', 'old laptop'),
  ('00000000-0000-4000-9100-000000000004', '00000000-0000-4000-8000-000000000004', 'old phone');
insert into public.revoked_tokens (token_hash, user_id, reason, expires_at) values
  (private.hash_token('00000000-0000-4000-9100-000000000001'), '00000000-0000-4000-8000-000000000001', 'sign_out', now() + interval '1 day'),
  (private.hash_token('00000000-0000-4000-9100-000000000004'), '00000000-0000-4000-8000-000000000004', 'security', now() + interval '1 day');

commit;
