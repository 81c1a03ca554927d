-- QuickSell cross-posting (seed 001), part 2: connecting marketplace accounts.
--   * private.quicksell_connect_account: the marketplace-sync function, after
--     the OAuth code exchange, stores the seller's account with its tokens as
--     ciphertext (one account per seller and marketplace: connecting again
--     replaces the tokens and switches the account back on). A marketplace
--     account already connected to another QuickSell seller is refused
--     (PT409): one eBay seller's sales must not move two sellers' listings.
--   * private.quicksell_store_tokens: a refreshed token set (eBay keeps its
--     refresh token; Etsy rotates it), persisted before it is used.
-- Both are service_role only. Clients never write tokens (no column grant)
-- and never read them (column grants): pgTAP 760 proves it.

create or replace function private.quicksell_connect_account(
  p_user_id uuid,
  p_marketplace text,
  p_marketplace_user_id text,
  p_account_name text,
  p_seller_rating numeric,
  p_total_sales integer,
  p_access_token text,
  p_refresh_token text,
  p_token_expires_at timestamptz,
  p_refresh_token_expires_at timestamptz,
  p_data jsonb default '{}'::jsonb
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_row quicksell.marketplace_accounts;
begin
  if not exists (select 1 from quicksell.marketplaces m where m.name = p_marketplace) then
    raise exception 'marketplace: unknown marketplace %', p_marketplace using errcode = '22023';
  end if;
  if p_marketplace <> 'local' and (p_access_token is null or p_token_expires_at is null) then
    raise exception 'access_token: an access token and its expiry are required for %', p_marketplace using errcode = '22023';
  end if;
  if p_marketplace_user_id is not null and exists (
    select 1 from quicksell.marketplace_accounts a
    where a.marketplace_name = p_marketplace and a.marketplace_user_id = p_marketplace_user_id and a.user_id <> p_user_id
  ) then
    raise exception 'marketplace: this % account is already connected to another QuickSell seller', p_marketplace using errcode = 'PT409';
  end if;
  insert into quicksell.marketplace_accounts as a (user_id, marketplace_name, marketplace_user_id, account_name, seller_rating,
    total_sales_on_platform, access_token, refresh_token, token_expires_at, refresh_token_expires_at, marketplace_data, is_active)
  values (p_user_id, p_marketplace, p_marketplace_user_id, left(p_account_name, 255), p_seller_rating, coalesce(p_total_sales, 0),
    p_access_token, p_refresh_token, p_token_expires_at, p_refresh_token_expires_at, coalesce(p_data, '{}'::jsonb), true)
  on conflict (user_id, marketplace_name) do update set
    marketplace_user_id = excluded.marketplace_user_id,
    account_name = excluded.account_name,
    seller_rating = excluded.seller_rating,
    total_sales_on_platform = excluded.total_sales_on_platform,
    access_token = excluded.access_token,
    refresh_token = excluded.refresh_token,
    token_expires_at = excluded.token_expires_at,
    refresh_token_expires_at = excluded.refresh_token_expires_at,
    marketplace_data = excluded.marketplace_data,
    is_active = true
  returning * into v_row;
  return jsonb_build_object('id', v_row.id, 'marketplace_name', v_row.marketplace_name, 'marketplace_user_id', v_row.marketplace_user_id,
    'account_name', v_row.account_name, 'is_active', v_row.is_active, 'auto_sync_enabled', v_row.auto_sync_enabled,
    'token_expires_at', v_row.token_expires_at);
end;
$$;

comment on function private.quicksell_connect_account(uuid, text, text, text, numeric, integer, text, text, timestamptz, timestamptz, jsonb) is
  'marketplace-sync: stores a connected marketplace account with its tokens as v1 ciphertext (service_role).';

create or replace function private.quicksell_store_tokens(
  p_account_id uuid,
  p_access_token text,
  p_refresh_token text,
  p_token_expires_at timestamptz,
  p_refresh_token_expires_at timestamptz
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  update quicksell.marketplace_accounts a set
    access_token = p_access_token,
    refresh_token = coalesce(p_refresh_token, a.refresh_token),
    token_expires_at = p_token_expires_at,
    refresh_token_expires_at = coalesce(p_refresh_token_expires_at, a.refresh_token_expires_at)
  where a.id = p_account_id;
  if not found then
    raise exception 'account_id: no such marketplace account' using errcode = 'PT404';
  end if;
end;
$$;

revoke execute on function private.quicksell_connect_account(uuid, text, text, text, numeric, integer, text, text, timestamptz, timestamptz, jsonb),
  private.quicksell_store_tokens(uuid, text, text, timestamptz, timestamptz)
  from public, anon, authenticated;
grant execute on function private.quicksell_connect_account(uuid, text, text, text, numeric, integer, text, text, timestamptz, timestamptz, jsonb),
  private.quicksell_store_tokens(uuid, text, text, timestamptz, timestamptz)
  to service_role;
