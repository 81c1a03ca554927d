// Audit: two members of one account pay the same tool with credits at the
// same moment. Their cart lines are different rows, so nothing but the
// account made them meet; before 20261201009200_tools_checkout_account_lock.sql
// the second waited only for the credit balance, then bought (and paid for)
// the tool a second time.
import { connect, type Sql } from "../db.ts";
import { assertEquals, closeTestSql, DB_URL, dbTest, testSql } from "../testing.ts";
import { addToCart, newTool, purchasesOf, teamFixture } from "./testing.ts";

/** Until some session waits on a lock held by `holderPid` (no sleeping a guessed time). */
async function waitUntilBlockedBy(sql: Sql, holderPid: number) {
  for (;;) {
    const [row] = await sql`select count(*)::int as n from pg_stat_activity where ${holderPid}::int = any (pg_blocking_pids(pid))`;
    if (row.n > 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const asUser = (userId: string) => JSON.stringify({ sub: userId, role: "authenticated" });

dbTest("tools credits: two members checking out the same tool at once buy it once and pay once", async () => {
  const f = await teamFixture();
  const tool = await newTool("3.00");
  await testSql()`select private.credit_apply(${f.accountId}::uuid, 'credits', 10000, 'grant', ${"race:" + crypto.randomUUID()}, 'test credits')`;
  await addToCart(f.accountId, f.owner.id, { tool: tool.id });
  await addToCart(f.accountId, f.member.id, { tool: tool.id });
  const [{ balance: before }] = await testSql()`select balance from public.credit_balances where account_id = ${f.accountId} and pool = 'credits'`;

  const first = connect(DB_URL!, 1);
  const second = connect(DB_URL!, 1);
  try {
    let secondResult: Promise<string> | null = null;
    await first.begin(async (tx) => {
      const [{ pid }] = await tx`select pg_backend_pid() as pid`;
      await tx`select set_config('request.jwt.claims', ${asUser(f.owner.id)}, true), set_config('role', 'authenticated', true)`;
      await tx`select * from tools.checkout_with_credits(${f.accountId}::uuid)`;
      // The owner's checkout is debited and complete but not committed; the member's starts now.
      secondResult = second.begin(async (tx2) => {
        await tx2`select set_config('request.jwt.claims', ${asUser(f.member.id)}, true), set_config('role', 'authenticated', true)`;
        await tx2`select * from tools.checkout_with_credits(${f.accountId}::uuid)`;
        return "bought";
      }).catch((e: { code?: string }) => e.code ?? String(e));
      await waitUntilBlockedBy(testSql(), pid);
    });
    assertEquals(await secondResult, "PT409", "the second checkout finds the tool owned");
  } finally {
    await first.end();
    await second.end();
  }
  const bought = (await purchasesOf(f.accountId)).filter((p) => p.tool_id === tool.id);
  assertEquals(bought.map((p) => p.payment_status), ["COMPLETED"], "one purchase of the tool");
  const [{ balance: after }] = await testSql()`select balance from public.credit_balances where account_id = ${f.accountId} and pool = 'credits'`;
  assertEquals(Number(before) - Number(after), 300, "debited once");
});

dbTest("close the pool", async () => {
  await closeTestSql();
});
