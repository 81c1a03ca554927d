-- Adds public.analytics_events (seed 001 analytics_events), shared by every
-- product: signed-in users record their own events; account admins and
-- platform admins read them for dashboards. Product-specific context
-- (listing_id, marketplace_name, ...) goes in `context`.

create table public.analytics_events (
  id bigint generated always as identity primary key,
  user_id uuid references public.profiles (id) on delete set null default auth.uid(),
  account_id uuid references public.accounts (id) on delete cascade,
  product text not null check (product in ('platform', 'homes', 'quicksell', 'studio', 'tools', 'reports')),
  event_type text not null check (event_type ~ '^[a-z][a-z0-9_.]{1,99}$'),
  event_name text check (char_length(event_name) <= 255),
  context jsonb not null default '{}'::jsonb check (jsonb_typeof(context) = 'object'),
  event_data jsonb not null default '{}'::jsonb check (jsonb_typeof(event_data) = 'object'),
  session_id text check (char_length(session_id) <= 255),
  ip_address inet default private.request_ip(),
  user_agent text check (char_length(user_agent) <= 1000),
  created_at timestamptz not null default now()
);

comment on table public.analytics_events is 'Product analytics events from every product (seed 001 analytics_events).';

create index analytics_events_user_id_created_at_idx on public.analytics_events (user_id, created_at desc);
create index analytics_events_account_id_created_at_idx on public.analytics_events (account_id, created_at desc);
create index analytics_events_type_created_at_idx on public.analytics_events (product, event_type, created_at desc);

alter table public.analytics_events enable row level security;

revoke all on public.analytics_events from anon, authenticated;
grant select on public.analytics_events to authenticated;
grant insert (account_id, product, event_type, event_name, context, event_data, session_id, user_agent)
  on public.analytics_events to authenticated;
grant all on public.analytics_events to service_role;

create policy "analytics_events: own, account admins' and platform admins' read"
  on public.analytics_events for select to authenticated
  using (
    user_id = (select auth.uid())
    or account_id in (select private.my_admin_account_ids())
    or (select private.is_platform_admin())
  );

create policy "analytics_events: users record their own"
  on public.analytics_events for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and (account_id is null or account_id in (select private.my_account_ids()))
  );
