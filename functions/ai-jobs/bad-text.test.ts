// Issue 14 section 4: text Postgres cannot store (NUL, a lone surrogate) is
// refused at the boundary with a 400 naming the field. Before the shared text
// refinement these requests reached the database and answered 500 (22021 /
// 22P05 / 22P02). JSON.stringify writes a lone surrogate as "\ud800", which
// JSON.parse turns back into one, exactly as a caller's raw body would.
import { localProvider } from "../_shared/ai-providers/local.ts";
import { memoryStorage } from "../_shared/storage.ts";
import { studioStore } from "../_shared/studio/store.ts";
import { assertEquals, closeTestSql, dbTest, newUser, testSql, userToken } from "../_shared/testing.ts";
import { createHandler } from "./index.ts";

const JWT_SECRET = "ai-jobs-bad-text-secret-with-32-characters!!";

dbTest("POST ai-jobs with NUL or a lone surrogate in any text field is a 400 naming the field", async () => {
  const storage = memoryStorage();
  const handler = createHandler({
    jwtSecret: JWT_SECRET,
    revocationReason: () => Promise.resolve(null),
    store: studioStore(testSql()),
    storage,
    providers: localProvider,
    objectExists: () => Promise.resolve(false),
    fetch: () => Promise.reject(new Error("no network in tests")),
    timeoutMs: 5_000,
    maxMs: 5_000,
    batchSize: 1,
  });
  const user = await newUser("studio-bad-text");
  const token = await userToken(user, JWT_SECRET);
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ type: "photo_edit", name: "a\u0000b" }, "name"],
    [{ type: "photo_edit", name: "ok", input: { prompt: "brighter\u0000please" } }, "input.prompt"],
    [{ type: "photo_edit", name: "\ud800x" }, "name"],
    [{ type: "video", name: "ok", input: { prompt: "dusk \udc00" } }, "input.prompt"],
    [{ type: "template", name: "ok", input: { fields: { headline: "Open\u0000house" } } }, "input.fields.headline"],
  ];
  for (const [body, field] of cases) {
    const res = await handler(new Request("http://functions.test/functions/v1/ai-jobs", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    }));
    const answer = await res.json();
    assertEquals([res.status, answer.error?.code, answer.error?.field], [400, "invalid_request", field], JSON.stringify(answer));
    assertEquals(answer.error.message.startsWith(`${field}: `), true, answer.error.message);
  }
  const [row] = await testSql()`select count(*)::int as n from studio.projects where user_id = ${user.id}`;
  assertEquals(row.n, 0, "nothing was created");
});

Deno.test({ name: "close the test pool (bad text)", sanitizeOps: false, sanitizeResources: false, fn: closeTestSql });
