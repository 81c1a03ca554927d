// reports-unsubscribe against the real database: the link (GET) and the
// RFC 8058 one-click POST suppress exactly the token's address for the
// token's account, idempotently; forged or tampered tokens are 400, a gone
// account 404, and nothing a request carries answers 5xx.
import { messagingStore } from "../_shared/messaging/store.ts";
import { assert, assertEquals } from "../_shared/messaging/testing.ts";
import { signUnsubscribeToken } from "../_shared/messaging/unsubscribe.ts";
import { dbTest, newUser, testSql } from "../_shared/testing.ts";
import { createHandler } from "./index.ts";

const KEY = `unsubscribe-test-key-${crypto.randomUUID()}`;
const handler = () => createHandler({ store: messagingStore(testSql()), key: KEY });
const url = (token: string) => `http://local/functions/v1/reports-unsubscribe?t=${encodeURIComponent(token)}`;
const oneClick = (token: string, body: BodyInit = "List-Unsubscribe=One-Click", type = "application/x-www-form-urlencoded") =>
  new Request(url(token), { method: "POST", headers: { "content-type": type }, body });

async function rows(accountId: string | null, email: string) {
  return await testSql()`select account_id, email, reason from reports.email_suppressions
    where account_id is not distinct from ${accountId}::uuid and lower(email) = lower(${email})`;
}

dbTest("GET unsubscribes the token's address for the token's account and shows a page; again changes nothing", async () => {
  const user = await newUser("unsub");
  const email = `Reader-${crypto.randomUUID().slice(0, 6)}@Example.com`;
  const token = signUnsubscribeToken(KEY, user.id, email);
  const res = await handler()(new Request(url(token)));
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("content-type"), "text/html; charset=utf-8");
  assertEquals(res.headers.get("cache-control"), "no-store");
  assert((await res.text()).includes(email.toLowerCase()), "the page names the address");
  assertEquals((await rows(user.id, email)).map((r) => [r.email, r.reason]), [[email.toLowerCase(), "unsubscribe"]]);
  assertEquals((await handler()(new Request(url(token)))).status, 200);
  assertEquals((await rows(user.id, email)).length, 1, "idempotent");
});

dbTest("POST one-click (form-encoded and multipart) unsubscribes; a POST without the RFC 8058 body is refused", async () => {
  const user = await newUser("oneclick");
  const email = `oc-${crypto.randomUUID().slice(0, 6)}@example.com`;
  const token = signUnsubscribeToken(KEY, user.id, email);
  const bad = await handler()(oneClick(token, "List-Unsubscribe=Maybe"));
  assertEquals(bad.status, 400);
  assertEquals((await rows(user.id, email)).length, 0);
  const res = await handler()(oneClick(token));
  assertEquals([res.status, await res.json()], [200, { unsubscribed: true }]);
  const form = new FormData();
  form.set("List-Unsubscribe", "One-Click");
  assertEquals((await handler()(new Request(url(token), { method: "POST", body: form }))).status, 200);
  assertEquals((await rows(user.id, email)).map((r) => r.reason), ["unsubscribe"]);
});

dbTest("a manual suppression becomes 'unsubscribe' (the account can no longer remove what the recipient asked for)", async () => {
  const user = await newUser("manual");
  const email = `m-${crypto.randomUUID().slice(0, 6)}@example.com`;
  await testSql()`insert into reports.email_suppressions (account_id, email, reason) values (${user.id}, ${email}, 'manual')`;
  assertEquals((await handler()(oneClick(signUnsubscribeToken(KEY, user.id, email)))).status, 200);
  assertEquals((await rows(user.id, email)).map((r) => r.reason), ["unsubscribe"]);
});

dbTest("forged, tampered, other-address, missing tokens: 400, nothing written; a gone account: 404", async () => {
  const user = await newUser("forged");
  const email = `f-${crypto.randomUUID().slice(0, 6)}@example.com`;
  const victim = `victim-${crypto.randomUUID().slice(0, 6)}@example.com`;
  const token = signUnsubscribeToken(KEY, user.id, email);
  const [acct, , mac] = token.split(".");
  const b64 = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const bad = [
    signUnsubscribeToken(`another-key-${crypto.randomUUID()}`, user.id, email),
    `${acct}.${b64(victim)}.${mac}`,
    token.slice(0, -3) + "AAA",
    "garbage", "", "a.b.c", "%00%ff", "x".repeat(10_000),
  ];
  for (const t of bad) {
    const get = await handler()(new Request(url(t)));
    assertEquals(get.status, 400, `GET ${t.slice(0, 40)}`);
    await get.body?.cancel();
    const post = await handler()(oneClick(t));
    assertEquals(post.status, 400, `POST ${t.slice(0, 40)}`);
    await post.body?.cancel();
  }
  assertEquals((await handler()(new Request("http://local/functions/v1/reports-unsubscribe"))).status, 400, "no token");
  assertEquals((await rows(user.id, victim)).length + (await rows(user.id, email)).length, 0);

  const gone = signUnsubscribeToken(KEY, crypto.randomUUID(), email);
  const res = await handler()(new Request(url(gone)));
  assertEquals(res.status, 404);
  await res.body?.cancel();
  assertEquals((await handler()(new Request(url(token), { method: "PUT" }))).status, 405);
});
