// Listing history under concurrent edits (quicksell.listing_versions): the
// version of every listing runs 1, 2, 3... without gaps or duplicates, also
// when several connections edit one listing at once, and an edit that rolls
// back leaves no hole. Each edit is the seller's, as PostgREST runs it.
//   * "interleaved": edit A holds the listing; edit B starts and must wait;
//     A commits; B then writes the next version, and its diff is B's own
//     field, against A's committed row;
//   * "raced": 8 connections x 10 edits of one listing at once;
//   * "rolled back": an edit whose transaction aborts takes no number.
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, createUser, db } from "./support/db.ts";
import { stackEnv } from "./support/stack-env.ts";

afterAll(closeDb);

const CONNECTIONS = 8;
const EDITS = 10;

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: stackEnv().dbUrl });
  await client.connect();
  return client;
}

async function asSeller(client: pg.Client, sellerId: string): Promise<void> {
  await client.query("begin");
  await client.query("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)", [
    JSON.stringify({ sub: sellerId, role: "authenticated" }),
  ]);
}

async function newListing(tag: string): Promise<{ sellerId: string; listingId: string }> {
  const seller = await createUser(`qs-versions-${tag}`);
  const { rows: [l] } = await db().query(
    `insert into quicksell.listings (user_id, title, description, category, condition, price)
     values ($1, 'Race lamp', 'a lamp', 'home', 'good', 10) returning id`,
    [seller.id],
  );
  return { sellerId: seller.id, listingId: l.id };
}

async function versions(listingId: string) {
  const { rows } = await db().query(
    "select version, changes, price::text as price, title, created_by from quicksell.listing_versions where listing_id = $1 order by version",
    [listingId],
  );
  return rows;
}

/** Resolves once `pid` is waiting on a lock. */
async function waitingOnLock(pid: number): Promise<void> {
  for (;;) {
    const { rows } = await db().query("select wait_event_type from pg_stat_activity where pid = $1", [pid]);
    if (rows[0]?.wait_event_type === "Lock") return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("quicksell listing versions under concurrent edits", () => {
  it("interleaved: the waiting edit writes the next version with only its own change", async () => {
    const { sellerId, listingId } = await newListing("interleaved");
    const a = await connect();
    const b = await connect();
    try {
      await asSeller(a, sellerId);
      await a.query("update quicksell.listings set price = 12 where id = $1", [listingId]);
      await asSeller(b, sellerId);
      const { rows: [{ pid }] } = await b.query("select pg_backend_pid() as pid");
      const edit = b.query("update quicksell.listings set title = 'Race lamp, brass' where id = $1", [listingId]);
      await waitingOnLock(pid);
      await a.query("commit");
      await edit;
      await b.query("commit");
    } finally {
      await a.end();
      await b.end();
    }
    const rows = await versions(listingId);
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3]);
    expect(rows[1].changes).toEqual({ price: { old: 10, new: 12 } });
    expect(rows[2].changes).toEqual({ title: { old: "Race lamp", new: "Race lamp, brass" } });
    expect(rows[2].price).toBe("12.00");
    expect(rows.every((r) => r.created_by === sellerId)).toBe(true);
  });

  it(`raced: ${CONNECTIONS} connections x ${EDITS} edits give versions 1..${CONNECTIONS * EDITS + 1}`, async () => {
    const { sellerId, listingId } = await newListing("raced");
    const clients = await Promise.all(Array.from({ length: CONNECTIONS }, connect));
    try {
      await Promise.all(
        clients.map(async (client, c) => {
          for (let e = 0; e < EDITS; e++) {
            await asSeller(client, sellerId);
            await client.query("update quicksell.listings set price = $2 where id = $1", [listingId, 100 + c * EDITS + e]);
            await client.query("commit");
          }
        }),
      );
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    const rows = await versions(listingId);
    expect(rows.map((r) => r.version)).toEqual(Array.from({ length: CONNECTIONS * EDITS + 1 }, (_, i) => i + 1));
    // Each version's old price is the previous version's new one: a chain, no edit lost.
    for (let i = 2; i < rows.length; i++) {
      expect(rows[i].changes.price.old).toBe(rows[i - 1].changes.price.new);
    }
    const { rows: [l] } = await db().query("select price::text as price from quicksell.listings where id = $1", [listingId]);
    expect(rows.at(-1)!.price).toBe(l.price);
  });

  it("rolled back: an aborted edit takes no version number", async () => {
    const { sellerId, listingId } = await newListing("rollback");
    const client = await connect();
    try {
      await asSeller(client, sellerId);
      await client.query("update quicksell.listings set price = 11 where id = $1", [listingId]);
      await client.query("rollback");
      await asSeller(client, sellerId);
      await client.query("update quicksell.listings set price = 13 where id = $1", [listingId]);
      await client.query("commit");
    } finally {
      await client.end();
    }
    const rows = await versions(listingId);
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
    expect(rows[1].changes).toEqual({ price: { old: 10, new: 13 } });
  });
});
