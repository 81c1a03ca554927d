-- Every numeric and floating-point column of every table in public, private
-- and the product schemas refuses 'NaN', 'Infinity' and '-Infinity' (issue
-- 14 §2). PostgreSQL's numeric accepts all three and 'NaN' > 0 is true, so
-- `check (amount > 0)` is no guard. The schema-wide check does not trust
-- constraint names: for each column and each of the three values it
--   * casts the value to the column's type (numeric(p, s) refuses the
--     infinities by itself; a domain may refuse with its own checks), else
--   * evaluates each single-column check constraint of the column with the
--     column bound to the value; one must come out false (null passes a
--     check, as it does in PostgreSQL),
-- and names every column and value that gets through (a probe table shows
-- it catches what it should). Then the two attacks of the issue (a buyer's
-- 'NaN' offer on an active listing, an owner's valuation snapshot with
-- estimate 'NaN'), a sale price, a provider's payment and refund, and the
-- numeric search filters.

begin;
select plan(17);

create function pg_temp.non_finite_accepted(p_schemas text[])
returns table (column_name text, accepted text)
language plpgsql
as $$
declare
  r record;
  k record;
  v_value text;
  v_refused boolean;
  v_result boolean;
begin
  for r in
    select c.oid as relid, n.nspname, c.relname, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod) as typ
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_type t on t.oid = a.atttypid
    where n.nspname = any (p_schemas) and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
      and coalesce(nullif(t.typbasetype, 0), a.atttypid) in ('numeric'::regtype, 'real'::regtype, 'double precision'::regtype)
    order by 2, 3, 5
  loop
    foreach v_value in array array['NaN', 'Infinity', '-Infinity'] loop
      begin
        execute format('select %L::%s', v_value, r.typ);
      exception when others then
        continue; -- the type itself refuses it
      end;
      v_refused := false;
      for k in
        select pg_get_expr(x.conbin, x.conrelid) as expr
        from pg_constraint x
        where x.conrelid = r.relid and x.contype = 'c' and x.conkey = array[r.attnum]::smallint[]
      loop
        execute format('select (%s) from (select %L::%s as %I) as t', k.expr, v_value, r.typ, r.attname) into v_result;
        if v_result is false then
          v_refused := true;
          exit;
        end if;
      end loop;
      if not v_refused then
        column_name := format('%I.%I.%I', r.nspname, r.relname, r.attname);
        accepted := v_value;
        return next;
      end if;
    end loop;
  end loop;
end;
$$;

create function pg_temp.numeric_column_count(p_schemas text[])
returns bigint
language sql
as $$
  select count(*)
  from pg_attribute a
  join pg_class c on c.oid = a.attrelid
  join pg_namespace n on n.oid = c.relnamespace
  join pg_type t on t.oid = a.atttypid
  where n.nspname = any (p_schemas) and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
    and coalesce(nullif(t.typbasetype, 0), a.atttypid) in ('numeric'::regtype, 'real'::regtype, 'double precision'::regtype)
$$;

-- ---------------------------------------------------------------- schema-wide

select is_empty(
  $$ select column_name || ' accepts ' || accepted
     from pg_temp.non_finite_accepted((select array['private'] || array_agg(schema_name order by sort_order) from public.products)) $$,
  'no numeric column in public, private or a product schema accepts NaN or an infinity'
);

select cmp_ok(pg_temp.numeric_column_count((select array['private'] || array_agg(schema_name order by sort_order) from public.products)),
  '>=', 30::bigint, 'the check saw the numeric columns (money, prices, ratings, areas) it is about');

-- The check itself catches what it should: `> 0` lets NaN and Infinity in,
-- an unchecked float lets all three in; the finite check, a two-sided float
-- range and a refusing domain pass.
create domain pg_temp.__finite_amount as numeric check (value > '-Infinity' and value < 'Infinity');
create table public.__nan_probe (
  positive numeric check (positive > 0),
  finite numeric check (finite > '-Infinity' and finite < 'Infinity'),
  ratio double precision check (ratio >= 0 and ratio <= 1),
  unchecked real,
  scaled numeric(10, 2) check (scaled >= 0),
  by_domain pg_temp.__finite_amount,
  two_columns numeric,
  constraint __nan_probe_two check (two_columns > 0 and positive > 0)
);
select results_eq(
  $$ select column_name, accepted from pg_temp.non_finite_accepted(array['public']) order by 1, 2 $$,
  $$ values ('public.__nan_probe.positive', 'Infinity'), ('public.__nan_probe.positive', 'NaN'),
            ('public.__nan_probe.scaled', 'NaN'),
            ('public.__nan_probe.two_columns', '-Infinity'), ('public.__nan_probe.two_columns', 'Infinity'),
            ('public.__nan_probe.two_columns', 'NaN'),
            ('public.__nan_probe.unchecked', '-Infinity'), ('public.__nan_probe.unchecked', 'Infinity'),
            ('public.__nan_probe.unchecked', 'NaN') $$,
  'the check names each probe column and value that gets through, and only those'
);
drop table public.__nan_probe;

-- ---------------------------------------------------------------- the attacks

do $$
declare v_seller uuid;
begin
  v_seller := tests.create_supabase_user('nan_seller');
  perform tests.create_supabase_user('nan_buyer');
  insert into homes.properties (id, owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft)
  values ('00000000-0000-4000-a003-000000000001', v_seller, '3 NaN Way', 'Nanton', 'ZZ', 'NAN03', 3, 2, 1800);
  insert into homes.listings (id, property_id, seller_id, asking_price)
  values ('00000000-0000-4000-b003-000000000001', '00000000-0000-4000-a003-000000000001', v_seller, 500000);
  update homes.listings set status = 'active', published_at = now() where id = '00000000-0000-4000-b003-000000000001';
end $$;

select tests.authenticate_as('nan_buyer');
select throws_ok(
  $$ insert into homes.offers (listing_id, amount) values ('00000000-0000-4000-b003-000000000001', 'NaN') $$,
  '22023', 'amount: must be a positive amount', 'a buyer''s NaN offer on an active listing is refused (400)'
);
select throws_ok(
  $$ select homes.submit_offer('00000000-0000-4000-b003-000000000001', 'NaN') $$,
  '22023', 'amount: must be a positive amount', 'submit_offer names a NaN amount for what it is'
);
select throws_ok(
  $$ select homes.submit_offer('00000000-0000-4000-b003-000000000001', 'Infinity') $$,
  '22023', 'amount: too large', 'submit_offer refuses an infinite amount'
);
select lives_ok(
  $$ select homes.submit_offer('00000000-0000-4000-b003-000000000001', 490000) $$,
  'a finite offer on the same listing still goes through'
);

select tests.clear_authentication();
select throws_ok(
  $$ insert into homes.offers (listing_id, buyer_id, amount)
     values ('00000000-0000-4000-b003-000000000001', tests.get_supabase_uid('nan_buyer'), 'NaN') $$,
  '22023', 'amount: must be a positive amount', 'the offer trigger refuses NaN for the table owner too'
);
select throws_ok(
  $$ update homes.properties set last_sold_price = 'NaN', last_sold_at = current_date
     where id = '00000000-0000-4000-a003-000000000001' $$,
  '23514', null, 'a NaN sale price never reaches the comparables, whoever writes it'
);

select tests.authenticate_as('nan_seller');
select throws_ok(
  $$ insert into homes.valuations (property_id, estimate, valuation_method)
     values ('00000000-0000-4000-a003-000000000001', 'NaN', 'appraisal') $$,
  '23514', null, 'an owner''s valuation snapshot with estimate NaN is refused (400)'
);
select throws_ok(
  $$ insert into homes.valuations (property_id, estimate, confidence, valuation_method)
     values ('00000000-0000-4000-a003-000000000001', 400000, 'NaN', 'appraisal') $$,
  '23514', null, 'nor with confidence NaN'
);

-- A provider's webhook path (service_role) cannot record NaN money either.
select tests.authenticate_as_service_role();
select lives_ok(
  $$ select private.billing_record_payment('payfast', 'nan-test-ok', tests.get_supabase_uid('nan_buyer'), 'marketplace',
                                           100, 'ZAR', 'succeeded') $$,
  'a provider records a finite payment'
);
select throws_ok(
  $$ select private.billing_record_payment('payfast', 'nan-test-nan', tests.get_supabase_uid('nan_buyer'), 'marketplace',
                                           'NaN', 'ZAR', 'succeeded') $$,
  '23514', null, 'a provider''s NaN payment amount is refused'
);
select throws_ok(
  $$ select private.billing_record_refund('payfast', 'nan-refund', p.id, 'NaN')
     from public.payments p where p.provider_ref = 'nan-test-ok' $$,
  null, null, 'a provider''s NaN refund is refused'
);
select is((select amount_refunded from public.payments where provider_ref = 'nan-test-ok'), 0.00::numeric,
  'and the payment''s refunded total is untouched');

-- Search filters name the field instead of failing a cast.
select tests.authenticate_as_anon();
select throws_ok($$ select * from homes.search_listings(min_price => 'NaN') $$,
  '22023', 'min_price: must be a finite amount (below 1e12)', 'a NaN price filter is refused naming the field');
select throws_ok($$ select * from homes.search_listings(min_bathrooms => 'Infinity') $$,
  '22023', 'min_bathrooms: must be a finite number', 'an infinite bathrooms filter is refused naming the field');

select * from finish();
rollback;
