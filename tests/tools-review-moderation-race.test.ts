// Two platform admins approving two reviews of the same tool at once (issue
// 10, Reviews: avg_rating / review_count count approved reviews only). The
// counter trigger locks the tool row and only then counts; counting in the
// same statement that waits for the lock would count from a snapshot taken
// before the other approval committed, and the tool would show one review.
//   * "interleaved": the first approval holds the tool; the second is seen
//     waiting for it (pg_stat_activity) before the first commits.
//   * "raced": many approvals of one tool's reviews fired at once.
// Afterwards review_count and avg_rating are those of every approved review.
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, createUser, db } from "./support/db.ts";
import { stackEnv } from "./support/stack-env.ts";

// The catalogue is shared with every other test file: take the race tools
// (their reviews cascade) and the moderators away again.
const createdTools: string[] = [];
const createdAdmins: string[] = [];
afterAll(async () => {
  await db().query("delete from tools.marketplace_tools where id = any($1)", [createdTools]);
  await db().query("delete from public.platform_admins where user_id = any($1)", [createdAdmins]);
  await closeDb();
});

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: stackEnv().dbUrl });
  await client.connect();
  return client;
}

async function platformAdmin(): Promise<string> {
  const admin = await createUser("review-moderator");
  await db().query("insert into public.platform_admins (user_id, note) values ($1, 'moderation race test')", [admin.id]);
  createdAdmins.push(admin.id);
  return admin.id;
}

/** A tool with `n` pending reviews, each by its own author for their personal account. */
async function toolWithPendingReviews(n: number, tag: string): Promise<{ toolId: string; reviewIds: string[]; ratings: number[] }> {
  const { rows: [tool] } = await db().query(
    `insert into tools.marketplace_tools (name, description, category, price_model, price_amount, required_tier, integration_type, provider)
     values ($1, 'race', 'CRM_TOOLS', 'ONE_TIME', 10, 'FREE', 'API', 'Internal') returning id`,
    [`Race ${tag}`],
  );
  createdTools.push(tool.id);
  const reviewIds: string[] = [];
  const ratings: number[] = [];
  for (let i = 0; i < n; i++) {
    const author = await createUser(`review-author-${tag}-${i}`);
    const rating = (i % 5) + 1;
    const { rows: [r] } = await db().query(
      `insert into tools.marketplace_reviews (tool_id, organization_id, user_id, rating)
       select $1, a.id, $2, $3 from public.accounts a where a.primary_owner_user_id = $2 and a.account_type = 'personal'
       returning id`,
      [tool.id, author.id, rating],
    );
    reviewIds.push(r.id);
    ratings.push(rating);
  }
  return { toolId: tool.id, reviewIds, ratings };
}

async function begin(client: pg.Client, adminId: string): Promise<void> {
  await client.query("begin");
  await client.query("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)", [
    JSON.stringify({ sub: adminId, role: "authenticated" }),
  ]);
}

const approve = (client: pg.Client, reviewId: string) =>
  client.query("select tools.moderate_review($1, 'APPROVED', 'race')", [reviewId]);

async function stats(toolId: string): Promise<{ review_count: number; avg_rating: number | null }> {
  const { rows: [t] } = await db().query("select review_count, avg_rating from tools.marketplace_tools where id = $1", [toolId]);
  return t;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("concurrent moderation of one tool's reviews", () => {
  it("interleaved: the approval that waited for the tool counts the one that committed first", async () => {
    const adminId = await platformAdmin();
    const { toolId, reviewIds, ratings } = await toolWithPendingReviews(2, "interleaved");
    const first = await connect();
    const second = await connect();
    try {
      await begin(first, adminId);
      await approve(first, reviewIds[0]!);
      const { rows: [{ pid }] } = await second.query("select pg_backend_pid() as pid");
      await begin(second, adminId);
      const waiting = approve(second, reviewIds[1]!).then(() => second.query("commit"));
      // Until the second approval is queued on the tool's row lock.
      for (;;) {
        const { rows: [a] } = await db().query("select wait_event_type from pg_stat_activity where pid = $1", [pid]);
        if (a?.wait_event_type === "Lock") break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await first.query("commit");
      await waiting;
    } finally {
      await first.end();
      await second.end();
    }
    const s = await stats(toolId);
    expect(s.review_count).toBe(2);
    expect(s.avg_rating).toBeCloseTo(mean(ratings), 5);
  });

  it("raced: every approval fired at once is counted", async () => {
    const adminId = await platformAdmin();
    const { toolId, reviewIds, ratings } = await toolWithPendingReviews(8, "raced");
    const clients = await Promise.all(reviewIds.map(() => connect()));
    try {
      await Promise.all(clients.map((c) => begin(c, adminId)));
      await Promise.all(clients.map(async (c, i) => {
        await approve(c, reviewIds[i]!);
        await c.query("commit");
      }));
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    const s = await stats(toolId);
    expect(s.review_count).toBe(8);
    expect(s.avg_rating).toBeCloseTo(mean(ratings), 5);
  });
});
