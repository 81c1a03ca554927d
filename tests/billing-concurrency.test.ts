// The credit ledger under contention: 16 connections spend, reserve and
// capture from the same few accounts at once, the way concurrent edge
// functions (service_role) would. Demand exceeds what the accounts hold, so
// some spends must be refused with PT402. Afterwards:
//   * no balance went below zero, and no ledger row records one;
//   * the balance dropped by exactly the successful spends and captures;
//   * an idempotency key sent by several connections at once spent once;
//   * private.credit_invariant_violations() is empty.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, createUser, db } from "./support/db.ts";
import { stackEnv } from "./support/stack-env.ts";

const CONNECTIONS = 16;
const OPS_PER_CONNECTION = 60;
const ACCOUNTS = 4;
const SEED_CREDITS = 1_000;
const SPEND = 7;
const HOLD = 5;
const CAPTURE = 3;
const SHARED_KEYS_PER_ACCOUNT = 10;

interface Outcome {
  spendIds: Map<string, Set<string>>; // account -> distinct transaction ids returned by spends
  captureIds: Map<string, Set<string>>; // account -> distinct usage rows from captures
  refused: number; // PT402
  spendCalls: number;
  sharedKeyCalls: number;
  releases: number;
  otherErrors: string[];
}

let accounts: string[] = [];
const runId = Math.random().toString(36).slice(2, 10);

afterAll(closeDb);

beforeAll(async () => {
  accounts = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const user = await createUser(`ledger-race-${i}`);
    accounts.push(user.id); // the personal account's id is the user's id
    await db().query("select private.credit_apply($1, 'credits', $2, 'grant', $3, 'concurrency test seed')", [
      user.id,
      SEED_CREDITS,
      `seed-${runId}-${i}`,
    ]);
  }
});

/** One request as an edge function makes it: a transaction as service_role. */
async function asService<T>(client: pg.Client, sql: string, params: unknown[]): Promise<T[]> {
  await client.query("begin");
  try {
    await client.query("select set_config('role', 'service_role', true), set_config('request.jwt.claims', $1, true)", [
      JSON.stringify({ role: "service_role" }),
    ]);
    const { rows } = await client.query(sql, params);
    await client.query("commit");
    return rows as T[];
  } catch (error) {
    await client.query("rollback").catch(() => {});
    throw error;
  }
}

/** The one row a request returns. */
async function one<T>(client: pg.Client, sql: string, params: unknown[]): Promise<T> {
  const [row] = await asService<T>(client, sql, params);
  if (!row) throw new Error(`no row from ${sql}`);
  return row;
}

function add(map: Map<string, Set<string>>, account: string, id: string) {
  if (!map.has(account)) map.set(account, new Set());
  map.get(account)!.add(id);
}

async function worker(n: number, outcome: Outcome): Promise<void> {
  const client = new pg.Client({ connectionString: stackEnv().dbUrl });
  await client.connect();
  try {
    for (let i = 0; i < OPS_PER_CONNECTION; i++) {
      const account = accounts[(n + i) % ACCOUNTS]!;
      const kind = (n * 7 + i) % 5; // 0-2 spend, 3 spend with a shared key, 4 reserve + capture/release
      try {
        if (kind <= 3) {
          const shared = kind === 3;
          const key = shared ? `shared-${runId}-${account}-${i % SHARED_KEYS_PER_ACCOUNT}` : `spend-${runId}-${n}-${i}`;
          outcome.spendCalls++;
          if (shared) outcome.sharedKeyCalls++;
          const row = await one<{ id: string; amount: number }>(client,
            "select id, amount from public.spend_credits($1, $2, $3, 'concurrency test')", [account, SPEND, key]);
          expect(row.amount).toBe(-SPEND);
          add(outcome.spendIds, account, row.id);
        } else {
          const hold = await one<{ id: string }>(client,
            "select id from private.credit_reserve($1, 'credits', $2, $3, 'render', null)", [account, HOLD, `hold-${runId}-${n}-${i}`]);
          if (i % 2 === 0) {
            const usage = await one<{ id: string; amount: number }>(client,
              "select id, amount from private.credit_capture($1, $2)", [hold.id, CAPTURE]);
            expect(usage.amount).toBe(-CAPTURE);
            add(outcome.captureIds, account, usage.id);
            // A retried capture returns the same row.
            const again = await one<{ id: string }>(client, "select id from private.credit_capture($1, $2)", [hold.id, CAPTURE]);
            expect(again.id).toBe(usage.id);
          } else {
            await asService(client, "select status from private.credit_release($1)", [hold.id]);
            outcome.releases++;
          }
        }
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "PT402") outcome.refused++;
        else outcome.otherErrors.push(`${code}: ${(error as Error).message}`);
      }
    }
  } finally {
    await client.end();
  }
}

describe("credit ledger under concurrency", () => {
  it(`${CONNECTIONS} connections never overdraw, spend each key once, and keep balance = sum(ledger)`, async () => {
    const outcome: Outcome = {
      spendIds: new Map(), captureIds: new Map(), refused: 0, spendCalls: 0, sharedKeyCalls: 0, releases: 0, otherErrors: [],
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, (_, n) => worker(n, outcome)));

    expect(outcome.otherErrors).toEqual([]);
    // Demand (about 1,600 credits per account) exceeds the 1,000 seeded: the ledger had to refuse some.
    expect(outcome.refused).toBeGreaterThan(0);
    expect(outcome.releases).toBeGreaterThan(0);

    const { rows: balances } = await db().query(
      "select account_id, balance, held from public.credit_balances where account_id = any($1) and pool = 'credits'",
      [accounts],
    );
    expect(balances).toHaveLength(ACCOUNTS);
    for (const b of balances) {
      expect(b.balance).toBeGreaterThanOrEqual(0);
      expect(b.held).toBe(0); // every hold was captured or released
      const spends = outcome.spendIds.get(b.account_id)?.size ?? 0;
      const captures = outcome.captureIds.get(b.account_id)?.size ?? 0;
      expect(SEED_CREDITS - b.balance).toBe(spends * SPEND + captures * CAPTURE);
    }

    const { rows: [ledger] } = await db().query(
      `select count(*) filter (where balance_after < 0)::int as negative,
              count(*) filter (where type = 'usage')::int as usage_rows,
              count(*) filter (where idempotency_key like 'shared-%')::int as shared_rows,
              count(distinct idempotency_key) filter (where idempotency_key like 'shared-%')::int as shared_keys
       from public.credit_transactions where account_id = any($1)`,
      [accounts],
    );
    expect(ledger.negative).toBe(0);
    const distinctSpends = [...outcome.spendIds.values()].reduce((n, s) => n + s.size, 0);
    const distinctCaptures = [...outcome.captureIds.values()].reduce((n, s) => n + s.size, 0);
    expect(ledger.usage_rows).toBe(distinctSpends + distinctCaptures);
    // Keys sent by several connections at once were spent at most once each.
    expect(ledger.shared_rows).toBe(ledger.shared_keys);
    expect(ledger.shared_keys).toBeLessThan(outcome.sharedKeyCalls);
    expect(ledger.shared_keys).toBeGreaterThan(0);

    const { rows: holds } = await db().query(
      "select status, count(*)::int as n from public.credit_reservations where account_id = any($1) group by status",
      [accounts],
    );
    expect(holds.find((h) => h.status === "held")).toBeUndefined();

    const { rows: violations } = await db().query("select * from private.credit_invariant_violations()");
    expect(violations).toEqual([]);
  }, 120_000);
});
