// Billing benchmark: the credit ledger against a bare UPDATE, and the
// Stripe webhook end to end. Writes bench/results/billing.json.
//
// Ledger: 8 connections x 2,000 spends over 50 pre-funded accounts through
// public.spend_credits (as service_role, each spend its own transaction
// with a unique idempotency key), against a baseline of the same 8 x 2,000
// single-row `update bench.bench_counter set n = n + 1 where id = $1` over
// 50 rows, on the same cluster in the same run. Goal: ledger_vs_update_ratio
// (spends/s / updates/s) >= 0.5. Then the ledger's invariants are checked.
//
// Webhooks: 1,000 signed checkout.session.completed events (800 distinct,
// 200 redeliveries of events already answered) from 8 concurrent senders to
// the real stripe-webhook function behind the local gateway; checks that
// every distinct event created one payment and granted its 1,000 credits
// exactly once and that every redelivery was recorded as 'duplicate'.
import { createHmac, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { root } from "../lib/setup.mjs";
import { closeAll, connections, createUsers, hammer, round, spread } from "./_lib.mjs";

const LEDGER = { connections: 8, perConnection: 2_000, accounts: 50, amount: 1, warmup: 200 };
const WEBHOOKS = { events: 1_000, duplicateShare: 0.2, senders: 8, accounts: 20 };
const LOCAL_WEBHOOK_SECRET = "whsec_domus_local_development_secret";
const GOAL_RATIO = 0.5;

export const description = "credit ledger vs bare UPDATE; stripe-webhook throughput and exactly-once";

export default async function billing({ url, step, functions }) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const ledger = await ledgerBench(admin, url, step);
    const webhooks = await webhookBench(admin, step, functions);
    return {
      ledger,
      webhooks,
      ok: ledger.invariant.ok && (webhooks.skipped ? true : webhooks.exactly_once.ok),
    };
  } finally {
    await admin.end();
  }
}

// ------------------------------------------------------------ ledger

async function ledgerBench(admin, url, step) {
  const { connections: n, perConnection, accounts: nAccounts, amount, warmup } = LEDGER;
  const total = n * perConnection;
  const fund = Math.ceil(((total + n * warmup) / nAccounts) * amount * 3);

  step(`ledger: ${nAccounts} accounts funded with ${fund} credits each, scratch table bench.bench_counter`);
  const accounts = await createUsers(admin, nAccounts, "bench-ledger");
  await admin.query(
    "select private.credit_apply(a, 'credits', $2, 'grant', 'bench-fund-' || a) from unnest($1::uuid[]) as a",
    [accounts, fund],
  );
  await admin.query(`
    create schema if not exists bench;
    drop table if exists bench.bench_counter;
    create table bench.bench_counter (id integer primary key, n bigint not null default 0);
    insert into bench.bench_counter (id) select g from generate_series(0, ${nAccounts - 1}) g;`);

  const run = randomUUID().slice(0, 8);
  const spenders = await connections(url, n, "set role service_role");
  const updaters = await connections(url, n);
  const spend = (phase) => (client, index, i) => client.query({
    name: "bench-spend",
    text: "select id from public.spend_credits($1, $2, $3)",
    values: [accounts[spread(index, i, nAccounts)], amount, `bench-${run}-${phase}-${index}-${i}`],
  });
  const update = (client, index, i) => client.query({
    name: "bench-update",
    text: "update bench.bench_counter set n = n + 1 where id = $1",
    values: [spread(index, i, nAccounts)],
  });

  try {
    step(`ledger: warm-up (${n} x ${warmup} of each)`);
    await hammer(updaters, warmup, update);
    await hammer(spenders, warmup, spend("warm"));
    // Plans cached while the ledger held a few rows would seq-scan it once it
    // holds thousands: measure with statistics of a ledger in use (as
    // autovacuum would have them in production).
    await admin.query("analyze bench.bench_counter; analyze public.credit_balances; analyze public.credit_transactions;");
    await closeAll([...spenders, ...updaters]);
    spenders.splice(0, n, ...(await connections(url, n, "set role service_role")));
    updaters.splice(0, n, ...(await connections(url, n)));

    const sumBalances = async () =>
      Number((await admin.query("select coalesce(sum(balance), 0)::bigint as s from public.credit_balances where account_id = any($1) and pool = 'credits'", [accounts])).rows[0].s);
    const counterBefore = Number((await admin.query("select sum(n)::bigint as s from bench.bench_counter")).rows[0].s);
    const before = await sumBalances();

    step(`ledger: baseline, ${n} connections x ${perConnection} single-row updates`);
    const base = await hammer(updaters, perConnection, update);
    step(`ledger: ${n} connections x ${perConnection} spends through public.spend_credits`);
    const led = await hammer(spenders, perConnection, spend("run"));

    const after = await sumBalances();
    const counterAfter = Number((await admin.query("select sum(n)::bigint as s from bench.bench_counter")).rows[0].s);
    const violations = Number((await admin.query("select count(*)::int as n from private.credit_invariant_violations()")).rows[0].n);
    const ledgerRows = Number((await admin.query(
      "select count(*)::int as n from public.credit_transactions where account_id = any($1) and idempotency_key like $2",
      [accounts, `bench-${run}-run-%`])).rows[0].n);
    const negative = Number((await admin.query(
      "select count(*)::int as n from public.credit_balances where account_id = any($1) and (balance < 0 or held > balance)", [accounts])).rows[0].n);

    const spendsPerS = led.ok / led.seconds;
    const updatesPerS = base.ok / base.seconds;
    const ratio = spendsPerS / updatesPerS;
    const invariant = {
      violations,
      negative_balances: negative,
      balance_drop: before - after,
      expected_drop: led.ok * amount,
      ledger_rows: ledgerRows,
      baseline_increments: counterAfter - counterBefore,
    };
    invariant.ok = violations === 0 && negative === 0 && invariant.balance_drop === invariant.expected_drop &&
      ledgerRows === led.ok && invariant.baseline_increments === base.ok;

    return {
      connections: n,
      per_connection: perConnection,
      accounts: nAccounts,
      spends_attempted: total,
      spends_succeeded: led.ok,
      spend_errors: led.errors,
      spend_seconds: round(led.seconds, 3),
      spends_per_s: round(spendsPerS),
      updates_attempted: total,
      updates_succeeded: base.ok,
      update_errors: base.errors,
      update_seconds: round(base.seconds, 3),
      updates_per_s: round(updatesPerS),
      ledger_vs_update_ratio: round(ratio, 3),
      goal_ratio: GOAL_RATIO,
      meets_goal: ratio >= GOAL_RATIO,
      invariant,
    };
  } finally {
    await closeAll([...spenders, ...updaters]);
  }
}

// ------------------------------------------------------------ webhooks

function stripeSignature(payload, secret, timestamp = Math.floor(Date.now() / 1000)) {
  const v1 = createHmac("sha256", secret).update(`${timestamp}.${payload}`, "utf8").digest("hex");
  return `t=${timestamp},v1=${v1}`;
}

function webhookMissing() {
  const entry = join(root, "functions", "stripe-webhook", "index.ts");
  if (!existsSync(entry)) return "functions/stripe-webhook/index.ts does not exist yet";
  const config = readFileSync(join(root, "supabase", "config.toml"), "utf8");
  if (!/^\[functions\.stripe-webhook\]/m.test(config)) return "supabase/config.toml has no [functions.stripe-webhook] entry";
  return null;
}

async function webhookBench(admin, step, functions) {
  const { events: nEvents, duplicateShare, senders, accounts: nAccounts } = WEBHOOKS;
  const nDuplicates = Math.round(nEvents * duplicateShare);
  const nDistinct = nEvents - nDuplicates;
  const skip = (reason) => {
    step(`webhooks: SKIPPED: ${reason}`);
    return { skipped: true, reason };
  };

  const missing = webhookMissing();
  if (missing) return skip(missing);
  let gateway;
  try {
    gateway = await functions();
  } catch (error) {
    return skip(`the functions gateway did not start: ${error.message.split("\n").slice(0, 6).join(" | ")}`);
  }
  const endpoint = `${gateway.url}/stripe-webhook`;
  const secret = process.env.STRIPE_WEBHOOK_SECRET || LOCAL_WEBHOOK_SECRET;

  step(`webhooks: ${nAccounts} accounts, ${nDistinct} pending credit-pack checkouts (tools_credits_1000)`);
  const accounts = await createUsers(admin, nAccounts, "bench-webhook");
  const perAccount = Math.ceil(nDistinct / nAccounts);
  // One call per row (a lateral call that depends only on the account would run once per account).
  const { rows: orders } = await admin.query(
    `select (o.p).account_id, (o.p).checkout_ref, (o.p).credit_pack_id
     from (select g, a.k, private.billing_begin_checkout(a.id, a.id, 'credit_pack', 'tools_credits_1000', 'stripe') as p
           from unnest($1::uuid[]) with ordinality as a(id, k) cross join generate_series(1, $2::int) as g
           offset 0) as o
     order by o.g, o.k`,
    [accounts, perAccount],
  );
  const run = randomUUID().slice(0, 8);
  const created = Math.floor(Date.now() / 1000);
  const events = orders.slice(0, nDistinct).map((o, i) => {
    const id = `evt_bench_${run}_${i}`;
    return {
      id,
      account: o.account_id,
      duplicate: i % Math.round(nDistinct / nDuplicates) === 0 && i / Math.round(nDistinct / nDuplicates) < nDuplicates,
      payload: JSON.stringify({
        id,
        object: "event",
        api_version: "2025-03-31.basil",
        created,
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type: "checkout.session.completed",
        data: {
          object: {
            id: `cs_bench_${run}_${i}`,
            object: "checkout.session",
            mode: "payment",
            status: "complete",
            payment_status: "paid",
            amount_total: 1000,
            currency: "usd",
            customer: null,
            subscription: null,
            payment_intent: `pi_bench_${run}_${i}`,
            client_reference_id: o.account_id,
            metadata: {
              account_id: o.account_id,
              purpose: "credit_pack",
              checkout_ref: o.checkout_ref,
              credit_pack_id: o.credit_pack_id,
            },
          },
        },
      }),
    };
  });
  const duplicatesPlanned = events.filter((e) => e.duplicate).length;
  if (new Set(events.map((e) => JSON.parse(e.payload).data.object.metadata.checkout_ref)).size !== nDistinct) {
    throw new Error("webhooks: every event needs its own checkout");
  }

  // Redeliveries go out only after the first delivery was answered, as
  // Stripe's retries do; they are mixed in among the remaining originals.
  const statuses = {};
  const answers = { duplicate: 0, processed: 0, other: 0 };
  let next = 0;
  let duplicatesLeft = duplicatesPlanned;
  const ready = [];
  const send = async (event) => {
    const res = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": stripeSignature(event.payload, secret) },
      body: event.payload,
    });
    const body = await res.json().catch(() => ({}));
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    if (res.status === 200 && body.duplicate) answers.duplicate++;
    else if (res.status === 200 && body.received && !body.ignored) answers.processed++;
    else answers.other++;
  };
  const sender = async (index) => {
    let k = 0;
    for (;;) {
      let event = null;
      let redelivery = false;
      if (ready.length && (next >= events.length || spread(index, k++, 4) === 0)) {
        event = ready.shift();
        redelivery = true;
        duplicatesLeft--;
      } else if (next < events.length) {
        event = events[next++];
      } else if (duplicatesLeft > 0) {
        await new Promise((r) => setTimeout(r, 2));
        continue;
      } else {
        return;
      }
      await send(event);
      if (!redelivery && event.duplicate) ready.push(event);
    }
  };

  step(`webhooks: ${nDistinct + duplicatesPlanned} signed events (${duplicatesPlanned} redeliveries) from ${senders} senders to ${endpoint}`);
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: senders }, (_, i) => sender(i)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sent = nDistinct + duplicatesPlanned;

  const { rows: [payments] } = await admin.query(
    `select count(*) filter (where status = 'succeeded')::int as succeeded,
            count(*) filter (where status = 'pending')::int as pending,
            count(distinct provider_ref) filter (where provider_ref like $2)::int as provider_refs
     from public.payments where account_id = any($1)`,
    [accounts, `pi_bench_${run}_%`],
  );
  const { rows: [credits] } = await admin.query(
    `with expected as (
       select a.id, count(p.id)::int * 1000 as credits
       from unnest($1::uuid[]) as a(id) left join public.payments p on p.account_id = a.id and p.status = 'succeeded'
       group by a.id)
     select count(*) filter (where coalesce(b.balance, 0) <> e.credits)::int as wrong_accounts,
            coalesce(sum(b.balance), 0)::int as granted,
            (select count(*)::int from public.credit_transactions t where t.account_id = any($1) and t.type = 'purchase') as purchase_rows
     from expected e left join public.credit_balances b on b.account_id = e.id and b.pool = 'credits'`,
    [accounts],
  );
  const { rows: eventRows } = await admin.query(
    "select status, count(*)::int as n from public.billing_events where event_id like $1 group by status",
    [`evt_bench_${run}_%`],
  );
  const byStatus = Object.fromEntries(eventRows.map((r) => [r.status, r.n]));
  const violations = Number((await admin.query("select count(*)::int as n from private.credit_invariant_violations()")).rows[0].n);

  const exactly = {
    payments_created: payments.succeeded,
    distinct_events: nDistinct,
    pending_left: payments.pending,
    credits_granted: credits.granted,
    credits_expected: nDistinct * 1000,
    accounts_with_wrong_balance: credits.wrong_accounts,
    purchase_ledger_rows: credits.purchase_rows,
    events_processed: byStatus.processed ?? 0,
    duplicates_recorded: byStatus.duplicate ?? 0,
    duplicates_sent: duplicatesPlanned,
    duplicate_answers: answers.duplicate,
    invariant_violations: violations,
  };
  exactly.ok = exactly.payments_created === nDistinct && exactly.pending_left === 0 &&
    exactly.credits_granted === exactly.credits_expected && exactly.accounts_with_wrong_balance === 0 &&
    exactly.purchase_ledger_rows === nDistinct && exactly.events_processed === nDistinct &&
    exactly.duplicates_recorded === duplicatesPlanned && violations === 0;

  return {
    events_sent: sent,
    distinct_events: nDistinct,
    duplicates_sent: duplicatesPlanned,
    duplicate_ratio: round(duplicatesPlanned / sent, 3),
    senders,
    accounts: nAccounts,
    seconds: round(seconds, 3),
    events_per_s: round(sent / seconds),
    http_statuses: statuses,
    billing_events_by_status: byStatus,
    exactly_once: exactly,
  };
}
