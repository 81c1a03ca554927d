// QuickSell badges unlock exactly once under concurrent events (issue 11,
// Gamification). Every event of a user goes through his user_stats row lock,
// and user_badges is unique on (user_id, badge_id) with ON CONFLICT DO
// NOTHING, so neither a second event nor a second transaction can unlock (or
// notify) a badge twice:
//   * "interleaved": a seller's 3rd and 4th listings inserted by two
//     connections; the second is seen waiting for the first's lock before the
//     first commits; the listings_created badge at 3 unlocks once;
//   * "raced": 8 connections award points to one user at once, crossing a
//     total_points badge; one unlock, one notification, ledger == total;
//   * "unique key alone": two transactions unlock the same badge for the
//     same user directly (no stats lock); one row, one notification.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, createUser, db } from "./support/db.ts";
import { stackEnv } from "./support/stack-env.ts";

const badges: string[] = [];
afterAll(async () => {
  // The shared database keeps no race badge that later files could unlock.
  await db().query("delete from quicksell.user_badges where badge_id in (select id from quicksell.badges where badge_key = any($1))", [badges]);
  await db().query("delete from quicksell.badges where badge_key = any($1)", [badges]);
  await db().query("delete from quicksell.points_rules where event = 'race_points' and not exists (select 1 from quicksell.points_ledger where event = 'race_points')");
  await closeDb();
});

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: stackEnv().dbUrl });
  await client.connect();
  return client;
}

async function badge(type: string, value: number): Promise<string> {
  const key = `race_${type}_${randomUUID().slice(0, 8)}`;
  await db().query(
    "insert into quicksell.badges (badge_key, badge_name, requirement_type, requirement_value) values ($1, $1, $2, $3)",
    [key, type, value],
  );
  badges.push(key);
  return key;
}

async function unlocks(user: string, key: string): Promise<{ badges: number; notifications: number }> {
  const { rows: [r] } = await db().query(
    `select (select count(*)::int from quicksell.user_badges ub join quicksell.badges b on b.id = ub.badge_id
             where ub.user_id = $1 and b.badge_key = $2) as badges,
            (select count(*)::int from public.notifications where user_id = $1 and product = 'quicksell'
             and type = 'badge_unlocked' and data ->> 'badge_key' = $2) as notifications`,
    [user, key],
  );
  return r;
}

async function asSeller(client: pg.Client, user: string): Promise<void> {
  await client.query("begin");
  await client.query("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)", [
    JSON.stringify({ sub: user, role: "authenticated", aud: "authenticated" }),
  ]);
}

const insertListing = (client: pg.Client, title: string) =>
  client.query("insert into quicksell.listings (title, description, category, condition, price) values ($1, 'race', 'books', 'good', 5)", [title]);

async function waitForLock(pid: number): Promise<void> {
  for (;;) {
    const { rows: [a] } = await db().query("select wait_event_type from pg_stat_activity where pid = $1", [pid]);
    if (a?.wait_event_type === "Lock") return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("badges unlock exactly once under concurrent events", () => {
  it("interleaved: two listings crossing listings_created = 3 at once", async () => {
    const seller = await createUser("badge-race-seller");
    const key = await badge("listings_created", 3);
    const setup = await connect();
    try {
      for (const title of ["one", "two"]) {
        await asSeller(setup, seller.id);
        await insertListing(setup, title);
        await setup.query("commit");
      }
    } finally {
      await setup.end();
    }
    expect(await unlocks(seller.id, key)).toEqual({ badges: 0, notifications: 0 });

    const first = await connect();
    const second = await connect();
    try {
      await asSeller(first, seller.id);
      await insertListing(first, "three");
      const { rows: [{ pid }] } = await second.query("select pg_backend_pid() as pid");
      await asSeller(second, seller.id);
      const waiting = insertListing(second, "four").then(() => second.query("commit"));
      await waitForLock(pid);
      await first.query("commit");
      await waiting;
    } finally {
      await first.end();
      await second.end();
    }
    expect(await unlocks(seller.id, key)).toEqual({ badges: 1, notifications: 1 });
    const { rows: [s] } = await db().query("select listings_created from quicksell.user_stats where user_id = $1", [seller.id]);
    expect(s.listings_created).toBe(4);
  });

  it("raced: 8 connections award points to one user across a total_points threshold", async () => {
    const user = await createUser("badge-race-points");
    await db().query("insert into quicksell.points_rules (event, points) values ('race_points', 10) on conflict (event) do nothing");
    const key = await badge("total_points", 35);
    const clients = await Promise.all(Array.from({ length: 8 }, () => connect()));
    try {
      await Promise.all(clients.map((c) => c.query("begin")));
      // Every connection sends its own event and, with it, the next connection's (a duplicate).
      const sent = await Promise.all(clients.map(async (c, i) => {
        const a = await c.query("select private.quicksell_award($1, 'race_points', $2) as p", [user.id, `race:${i}`]);
        const b = await c.query("select private.quicksell_award($1, 'race_points', $2) as p", [user.id, `race:${(i + 1) % 8}`])
          .catch((error) => ({ rows: [{ p: `error ${error.code}` }] }));
        await c.query("commit");
        return [a.rows[0].p, b.rows[0].p];
      }));
      expect(sent.flat().filter((p) => typeof p === "string")).toEqual([]);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    expect(await unlocks(user.id, key)).toEqual({ badges: 1, notifications: 1 });
    const { rows: [r] } = await db().query(
      `select (select total_points from quicksell.user_stats where user_id = $1) as total,
              (select coalesce(sum(points), 0)::int from quicksell.points_ledger where user_id = $1) as ledger,
              (select count(*)::int from quicksell.points_ledger where user_id = $1 and event = 'race_points') as rows`,
      [user.id],
    );
    expect(r).toEqual({ total: 80, ledger: 80, rows: 8 });
  });

  it("unique key alone: two transactions unlocking one badge directly", async () => {
    const user = await createUser("badge-race-direct");
    const key = await badge("ratings_received", 1);
    const first = await connect();
    const second = await connect();
    try {
      await first.query("begin");
      await second.query("begin");
      const { rows: [a] } = await first.query("select private.quicksell_unlock_badges($1, 'ratings_received', 1) as n", [user.id]);
      const { rows: [{ pid }] } = await second.query("select pg_backend_pid() as pid");
      const waiting = second.query("select private.quicksell_unlock_badges($1, 'ratings_received', 1) as n", [user.id]);
      await waitForLock(pid);
      await first.query("commit");
      const { rows: [b] } = await waiting;
      await second.query("commit");
      expect([a.n, b.n]).toEqual([1, 0]);
    } finally {
      await first.end();
      await second.end();
    }
    expect(await unlocks(user.id, key)).toEqual({ badges: 1, notifications: 1 });
  });
});
