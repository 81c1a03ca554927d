// reports-contacts-import against the real database: a file with good and
// bad rows (each bad one reported by line and field, the good ones in the
// table), RFC 4180 quoting (commas, doubled quotes and line breaks inside
// quotes, BOM, CRLF, an unclosed quote), an address the account already
// has, a stranger and a member of another account refused with nothing
// written, two imports of one file racing, and the 400 / 401 / 405 / 413 /
// 415 answers.
import { assert, assertEquals, closeTestSql, dbTest, newUser, testSql, userToken } from "../_shared/testing.ts";
import { contactsStore } from "../_shared/reports/contacts/store.ts";
import { createHandler } from "./index.ts";

const JWT_SECRET = "contacts-import-test-secret-with-32-chars!";
const URL_ = "http://functions.test/functions/v1/reports-contacts-import";
type User = { id: string; email: string };

function handler(limits: { maxBytes?: number; maxRows?: number } = {}) {
  return createHandler({
    jwtSecret: JWT_SECRET,
    revocationReason: () => Promise.resolve(null),
    store: contactsStore(testSql()),
    ...limits,
  });
}

async function accountOf(user: User): Promise<string> {
  const [row] = await testSql()`select account_id from public.account_memberships where user_id = ${user.id} limit 1`;
  return row.account_id;
}

async function post(h: ReturnType<typeof handler>, who: User | null, account: string, body: BodyInit, type = "text/csv; charset=utf-8") {
  const headers: Record<string, string> = { "content-type": type };
  if (who) headers.authorization = `Bearer ${await userToken(who, JWT_SECRET)}`;
  const res = await h(new Request(`${URL_}?account_id=${account}`, { method: "POST", headers, body }));
  return { status: res.status, body: await res.json() };
}

async function contactsIn(account: string) {
  return await testSql()<{ name: string | null; email: string; type: string; notes: string | null }[]>`
    select name, email, type, notes from reports.contacts where account_id = ${account} order by email`;
}

dbTest("bad rows are reported by line and field, the good ones imported", async () => {
  const owner = await newUser("importer");
  const account = await accountOf(owner);
  await testSql()`insert into reports.contacts (account_id, name, email) values (${account}, 'Kept', 'existing@example.com')`;
  const csv = [
    "\uFEFFEmail, NAME ,Type,notes,Phone", // 1: BOM, any case and order, an unknown column
    "ann@example.com,Ann,client,,555", // 2
    "not-an-address,Bad,client,,", // 3
    "ANN@example.com,Ann again,client,,", // 4: duplicate of line 2
    "bob@example.com,Bob,friend,,", // 5: bad type
    "carl@example.com,Carl,agent", // 6: a field short
    '"dee@example.com","Dee, Jr.",vendor,"said ""hi""', // 7: quoted comma and doubled quotes, notes over 2 lines
    'on two lines",', // 8
    "EXISTING@example.com,Not kept,client,,", // 9: already a contact
    "", // 10: blank, not a record
    ",No Mail,client,,", // 11: no email
    'eve@example.com,"Eve ""E"" Evans",,"",', // 12: empty type is other
  ].join("\r\n");
  const res = await post(handler(), owner, account, csv);
  assertEquals(res.status, 200, JSON.stringify(res.body));
  assertEquals(res.body.imported, 3);
  assertEquals(res.body.unknown_columns, ["Phone"]);
  assertEquals(
    res.body.skipped.map((s: { line: number; field: string }) => `${s.line}:${s.field}`),
    ["3:email", "4:email", "5:type", "6:row", "9:email", "11:email"],
  );
  assert(res.body.skipped.every((s: { field: string; message: string }) => s.message.startsWith(`${s.field}: `)), "messages name the field");
  assert(res.body.skipped[1].message.includes("line 2"), "a duplicate names the first line");
  assertEquals(await contactsIn(account), [
    { name: "Ann", email: "ann@example.com", type: "client", notes: null },
    { name: "Dee, Jr.", email: "dee@example.com", type: "vendor", notes: 'said "hi"\non two lines' },
    { name: 'Eve "E" Evans', email: "eve@example.com", type: "other", notes: null },
    { name: "Kept", email: "existing@example.com", type: "other", notes: null },
  ]);
});

dbTest("quoting edge cases: LF and CR line ends, an unclosed quote, text after a closing quote", async () => {
  const owner = await newUser("quoter");
  const account = await accountOf(owner);
  const csv = 'email,name\nfay@example.com,"Fay\r\nFaye"\rgus@example.com,"Gus"x\nhal@example.com,Hal "H"\nivy@example.com,Ivy,\njon@example.com,"Jon';
  const res = await post(handler(), owner, account, csv);
  assertEquals(res.status, 200, JSON.stringify(res.body));
  // Line 2 spans two physical lines (CRLF inside quotes), so gus is on line 4.
  assertEquals(res.body.skipped.map((s: { line: number; field: string }) => `${s.line}:${s.field}`), ["4:row", "5:row", "6:row", "7:row"]);
  assertEquals((await contactsIn(account)).map((c) => [c.email, c.name]), [["fay@example.com", "Fay\nFaye"]]);
});

dbTest("a stranger, and a member of another account, import nothing", async () => {
  const owner = await newUser("owner");
  const stranger = await newUser("stranger");
  const account = await accountOf(owner);
  const csv = "email\nx@example.com\n";
  for (const who of [stranger]) {
    const res = await post(handler(), who, account, csv);
    assertEquals(res.status, 403);
    assertEquals(res.body.error.field, "account_id");
  }
  const empty = await post(handler(), stranger, account, "email\n");
  assertEquals(empty.status, 403, "even a file without rows is refused");
  assertEquals(await contactsIn(account), []);
  const own = await post(handler(), stranger, await accountOf(stranger), csv);
  assertEquals(own.body.imported, 1, "the stranger's own account takes it");
});

dbTest("two imports of one file at once import each address once", async () => {
  const owner = await newUser("racer");
  const account = await accountOf(owner);
  const csv = "email\n" + Array.from({ length: 40 }, (_, i) => `r${i}@example.com`).join("\n");
  const h = handler();
  const [a, b] = await Promise.all([post(h, owner, account, csv), post(h, owner, account, csv)]);
  assertEquals(a.status, 200);
  assertEquals(b.status, 200);
  assertEquals(a.body.imported + b.body.imported, 40);
  assertEquals(a.body.skipped.length + b.body.skipped.length, 40, "the loser reports each address as existing");
  assertEquals((await contactsIn(account)).length, 40);
});

dbTest("refusals: 401, 405, 400, 413, 415 and nothing written", async () => {
  const owner = await newUser("refused");
  const account = await accountOf(owner);
  assertEquals((await post(handler(), null, account, "email\na@example.com")).status, 401);
  const get = await handler()(new Request(`${URL_}?account_id=${account}`));
  assertEquals(get.status, 405);
  await get.body?.cancel();
  const badId = await post(handler(), owner, "not-a-uuid", "email\na@example.com");
  assertEquals([badId.status, badId.body.error.field], [400, "account_id"]);
  const noEmail = await post(handler(), owner, account, "name,type\nA,client");
  assertEquals([noEmail.status, noEmail.body.error.field], [400, "header"]);
  const twice = await post(handler(), owner, account, "email,EMAIL\na@example.com,b@example.com");
  assertEquals(twice.status, 400);
  const wrongType = await post(handler(), owner, account, '{"email":"a@example.com"}', "application/json");
  assertEquals([wrongType.status, wrongType.body.error.field], [415, "content-type"]);
  const big = "email\n" + "a".repeat(300) + "@example.com\n";
  assertEquals((await post(handler({ maxBytes: 200 }), owner, account, big)).status, 413);
  // A streamed body has no content-length: the limit still holds.
  const stream = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode(big));
      c.close();
    },
  });
  assertEquals((await post(handler({ maxBytes: 200 }), owner, account, stream)).status, 413);
  const rows = "email\n" + Array.from({ length: 6 }, (_, i) => `m${i}@example.com`).join("\n");
  assertEquals((await post(handler({ maxRows: 5 }), owner, account, rows)).status, 413);
  const latin1 = new Uint8Array([...new TextEncoder().encode("email,name\na@example.com,"), 0xe9]);
  assertEquals((await post(handler(), owner, account, latin1)).status, 400);
  const nul = await post(handler(), owner, account, "email,name\nnul@example.com,a\u0000b");
  assertEquals(nul.body.skipped.map((s: { field: string }) => s.field), ["name"]);
  assertEquals(await contactsIn(account), []);
});

Deno.test({ name: "close the test pool", sanitizeOps: false, sanitizeResources: false, fn: closeTestSql });
