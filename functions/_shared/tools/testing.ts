// Fixtures for the Tools function tests: a team account with an owner, a
// member and an affiliate, catalogue items of the test's own (so no test
// depends on the seeded catalogue's prices), and cart lines.
import { newUser, testSql } from "../testing.ts";

export interface TeamFixture {
  accountId: string;
  owner: { id: string; email: string };
  member: { id: string; email: string };
  affiliate: { id: string; email: string };
  /** Owner of another team; no role in this one. */
  rival: { id: string; email: string };
  rivalAccountId: string;
}

async function team(owner: { id: string }, label: string): Promise<string> {
  const [row] = await testSql()`
    insert into public.accounts (name, slug, account_type, primary_owner_user_id)
    values (${label}, ${label.toLowerCase().replaceAll(" ", "-") + "-" + crypto.randomUUID().slice(0, 8)}, 'team', ${owner.id})
    returning id`;
  await testSql()`insert into public.account_memberships (account_id, user_id, role) values (${row.id}, ${owner.id}, 'owner')`;
  return row.id;
}

export async function teamFixture(): Promise<TeamFixture> {
  const [owner, member, affiliate, rival] = await Promise.all([newUser("owner"), newUser("member"), newUser("affiliate"), newUser("rival")]);
  const accountId = await team(owner, "Tools Team");
  await testSql()`insert into public.account_memberships (account_id, user_id, role) values
    (${accountId}, ${member.id}, 'member'), (${accountId}, ${affiliate.id}, 'affiliate')`;
  const rivalAccountId = await team(rival, "Rival Team");
  return { accountId, owner, member, affiliate, rival, rivalAccountId };
}

/** An ACTIVE one-time tool every tier may buy. */
export async function newTool(price = "49.00", currency = "USD"): Promise<{ id: string; name: string }> {
  const name = `Test tool ${crypto.randomUUID().slice(0, 8)}`;
  const [row] = await testSql()`
    insert into tools.marketplace_tools (name, description, category, price_model, price_amount, currency, required_tier, integration_type, provider)
    values (${name}, 'a tool for checkout tests', 'CRM_TOOLS', 'ONE_TIME', ${price}::numeric, ${currency}, 'FREE', 'API', 'Domus tests')
    returning id`;
  return { id: row.id, name };
}

/**
 * An ACTIVE bundle of `tools` every tier may buy, made in one transaction: the
 * catalogue checks at commit that `price` is its priced tools less 20 %.
 */
export async function newBundle(toolIds: string[], price = "79.00"): Promise<{ id: string; name: string }> {
  const name = `Test bundle ${crypto.randomUUID().slice(0, 8)}`;
  const id = await testSql().begin(async (tx) => {
    const [row] = await tx`
      insert into tools.marketplace_bundles (name, description, price_amount, discount_percent, required_tier)
      values (${name}, 'a bundle for checkout tests', ${price}::numeric, 20, 'FREE') returning id`;
    for (const [position, toolId] of toolIds.entries()) {
      await tx`insert into tools.marketplace_bundle_items (bundle_id, tool_id, position) values (${row.id}, ${toolId}, ${position})`;
    }
    return row.id as string;
  });
  return { id, name };
}

export async function addToCart(accountId: string, userId: string, item: { tool?: string; bundle?: string }) {
  await testSql()`
    insert into tools.marketplace_cart (organization_id, user_id, tool_id, bundle_id, item_type)
    values (${accountId}, ${userId}, ${item.tool ?? null}, ${item.bundle ?? null}, ${item.tool ? "TOOL" : "BUNDLE"})`;
}

export interface PurchaseRow {
  id: string;
  tool_id: string | null;
  bundle_id: string | null;
  amount: string;
  payment_method: string;
  payment_status: string;
  status: string;
  stripe_payment_id: string | null;
  stripe_invoice_id: string | null;
  activated_at: Date | null;
  refunded_at: Date | null;
}

export async function purchasesOf(accountId: string): Promise<PurchaseRow[]> {
  return await testSql()`
    select id, tool_id, bundle_id, amount::text, payment_method::text, payment_status::text, status::text,
           stripe_payment_id, stripe_invoice_id, activated_at, refunded_at
    from tools.marketplace_purchases where organization_id = ${accountId} order by amount, id` as unknown as PurchaseRow[];
}
