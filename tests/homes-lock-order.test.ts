// Accepting an offer while the listing's valuation is being stored (issue 14
// §3). Both touch the property and the listing; they must take those locks
// in one order (property, then listing: docs/homes.md) or they deadlock
// (40P01, which PostgREST answers 500).
//   * "interleaved": forces the interleaving that deadlocked: the valuation
//     holds the property and waits (on a gate) before it touches the
//     listing; the seller's RPC starts meanwhile; then the gate opens. For
//     accept_offer and every other RPC that changes a listing's status (and
//     so the property): publish, withdraw, reopen, mark_sold.
//   * "raced": accept and valuation fired at once, many times, on fresh
//     listings.
// Afterwards the listing is in the RPC's state, the property's is_listed
// agrees, and the valuation is stored.
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, createUser, db } from "./support/db.ts";
import { stackEnv } from "./support/stack-env.ts";

afterAll(closeDb);

const ROUNDS = 20;

interface Sale {
  sellerId: string;
  propertyId: string;
  listingId: string;
  offerId: string;
}

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: stackEnv().dbUrl });
  await client.connect();
  return client;
}

/** An active listing with one submitted offer; a postal code of its own, so the valuation is free (no comparables). */
async function listingWithOffer(tag: string): Promise<Sale> {
  const seller = await createUser(`lock-seller-${tag}`);
  const buyer = await createUser(`lock-buyer-${tag}`);
  const postal = `L${seller.id.slice(0, 8)}`;
  const { rows: [p] } = await db().query(
    `insert into homes.properties (owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft)
     values ($1, '1 Lock St', $2, 'CO', $3, 3, 2, 2000) returning id`,
    [seller.id, `Locktown ${postal}`, postal],
  );
  const { rows: [l] } = await db().query(
    "insert into homes.listings (property_id, seller_id, asking_price) values ($1, $2, 500000) returning id",
    [p.id, seller.id],
  );
  await db().query("update homes.listings set status = 'active', published_at = now() where id = $1", [l.id]);
  const { rows: [o] } = await db().query(
    "insert into homes.offers (listing_id, buyer_id, amount) values ($1, $2, 490000) returning id",
    [l.id, buyer.id],
  );
  return { sellerId: seller.id, propertyId: p.id, listingId: l.id, offerId: o.id };
}

/** One of the seller's RPCs, as PostgREST would run it. */
async function asSeller(client: pg.Client, sale: Sale, sql: string, params: unknown[]): Promise<void> {
  await client.query("begin");
  try {
    await client.query("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)", [
      JSON.stringify({ sub: sale.sellerId, role: "authenticated" }),
    ]);
    await client.query(sql, params);
    await client.query("commit");
  } catch (error) {
    await client.query("rollback").catch(() => {});
    throw error;
  }
}

const accept = (client: pg.Client, sale: Sale) => asSeller(client, sale, "select homes.accept_offer($1)", [sale.offerId]);

interface Transition {
  rpc: string;
  /** Brings a fresh listing (active, one submitted offer) to the state the RPC starts from. */
  before: (sale: Sale) => Promise<void>;
  run: (client: pg.Client, sale: Sale) => Promise<void>;
  status: string;
  isListed: boolean;
}

const underContract = async (sale: Sale) => {
  const client = await connect();
  try {
    await accept(client, sale);
  } finally {
    await client.end();
  }
};

const TRANSITIONS: Transition[] = [
  { rpc: "accept_offer", before: async () => {}, run: accept, status: "under_contract", isListed: false },
  {
    rpc: "withdraw_listing", before: async () => {}, status: "withdrawn", isListed: false,
    run: (c, sale) => asSeller(c, sale, "select homes.withdraw_listing($1)", [sale.listingId]),
  },
  {
    rpc: "publish_listing", status: "active", isListed: true,
    before: async (sale) => {
      await db().query("update homes.listings set status = 'withdrawn' where id = $1", [sale.listingId]);
    },
    run: (c, sale) => asSeller(c, sale, "select homes.publish_listing($1)", [sale.listingId]),
  },
  {
    rpc: "reopen_listing", before: underContract, status: "active", isListed: true,
    run: (c, sale) => asSeller(c, sale, "select homes.reopen_listing($1)", [sale.listingId]),
  },
  {
    rpc: "mark_sold", before: underContract, status: "sold", isListed: false,
    run: (c, sale) => asSeller(c, sale, "select homes.mark_sold($1)", [sale.listingId]),
  },
];

/** The valuation worker's transaction for the listing's publish job. */
async function storeValuation(client: pg.Client, sale: Sale, requestKey: string): Promise<void> {
  await client.query("begin");
  try {
    await client.query("select set_config('role', 'service_role', true)");
    await client.query("select id from private.homes_store_valuation($1, $2, null, $3)", [sale.propertyId, requestKey, sale.listingId]);
    await client.query("commit");
  } catch (error) {
    await client.query("rollback").catch(() => {});
    throw error;
  }
}

/** Resolves once the backend `pid` waits for a lock (no fixed sleeps: it polls the state). */
async function waitsForLock(pid: number): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const { rows: [r] } = await db().query("select exists (select 1 from pg_locks where pid = $1 and not granted) as waiting", [pid]);
    if (r.waiting) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`backend ${pid} never waited for a lock`);
}

async function pidOf(client: pg.Client): Promise<number> {
  const { rows: [r] } = await client.query("select pg_backend_pid() as pid");
  return r.pid;
}

const codeOf = (outcome: PromiseSettledResult<void>) =>
  outcome.status === "rejected" ? `${(outcome.reason as { code?: string }).code}: ${(outcome.reason as Error).message}` : "ok";

async function expectSettled(sale: Sale, requestKey: string, status = "under_contract", isListed = false) {
  const { rows: [r] } = await db().query(
    `select l.status, p.is_listed,
            (select count(*)::int from homes.valuations v where v.request_key = $2 and v.listing_id = l.id) as valuations
     from homes.listings l join homes.properties p on p.id = l.property_id where l.id = $1`,
    [sale.listingId, requestKey],
  );
  expect(r).toEqual({ status, is_listed: isListed, valuations: 1 });
}

describe("homes lock order: accept_offer beside homes_store_valuation", () => {
  it.each(TRANSITIONS)("$rpc while a valuation holds the property (the interleaving that deadlocked) completes both", async (t) => {
    const sale = await listingWithOffer(`gate-${t.rpc}`);
    await t.before(sale);
    const requestKey = `lock-gate-${sale.listingId}`;
    const gate = await connect();
    const valuer = await connect();
    const seller = await connect();
    try {
      // The gate: an uncommitted valuation with the same request key, so the
      // worker's insert waits on the unique index after it has locked the property.
      await gate.query("begin");
      await gate.query(
        `insert into homes.valuations (property_id, estimate, valuation_method, request_key)
         values ($1, 1, 'gate_for_test', $2)`,
        [sale.propertyId, requestKey],
      );
      const valuing = storeValuation(valuer, sale, requestKey);
      await waitsForLock(await pidOf(valuer));
      const changing = t.run(seller, sale);
      await waitsForLock(await pidOf(seller));
      await gate.query("rollback");

      const outcomes = await Promise.allSettled([changing, valuing]);
      expect(outcomes.map(codeOf)).toEqual(["ok", "ok"]);
      await expectSettled(sale, requestKey, t.status, t.isListed);
    } finally {
      await gate.query("rollback").catch(() => {});
      await Promise.all([gate.end(), valuer.end(), seller.end()]);
    }
  });

  it(`${ROUNDS} rounds of both at once: no deadlock, every listing under contract with its valuation`, async () => {
    const sales = await Promise.all(Array.from({ length: ROUNDS }, (_, i) => listingWithOffer(`race${i}`)));
    const valuer = await connect();
    const seller = await connect();
    const failures: string[] = [];
    try {
      for (const sale of sales) {
        const requestKey = `lock-race-${sale.listingId}`;
        const outcomes = await Promise.allSettled([accept(seller, sale), storeValuation(valuer, sale, requestKey)]);
        failures.push(...outcomes.map(codeOf).filter((c) => c !== "ok"));
        if (outcomes.every((o) => o.status === "fulfilled")) await expectSettled(sale, requestKey);
      }
    } finally {
      await Promise.all([valuer.end(), seller.end()]);
    }
    expect(failures).toEqual([]);
  });
});
