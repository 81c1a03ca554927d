// @domus/client Reports part 2 against a recording fetch: what each lead,
// contact, group, API-key, webhook and admin call sends (Data API in schema
// `reports`, RPCs, and the reports-leads / reports-contacts-import /
// reports-webhooks functions), that bad input and fields the database keeps
// are refused before any request naming the field, that no select asks for
// a secret or a key hash, and that the database's refusals keep their
// statuses.
import { createDomusClient } from "@domus/client";
import { describe, expect, it } from "vitest";
import { type Captured, ok, only, refusing, recordingFetch } from "./support/recording-fetch.ts";
import { signToken } from "./support/tokens.ts";

const REST = "http://rest.test";
const ACCOUNT = "10000000-0000-4000-8000-000000000001";
const USER = "00000000-0000-4000-8000-000000000001";
const LEAD = "3a0c5d1e-7b2f-4c8a-9d1e-2f3a4b5c6d01";
const CONTACT = "3a0c5d1e-7b2f-4c8a-9d1e-2f3a4b5c6d02";
const CONTACT_2 = "3a0c5d1e-7b2f-4c8a-9d1e-2f3a4b5c6d03";
const GROUP = "3a0c5d1e-7b2f-4c8a-9d1e-2f3a4b5c6d04";
const KEY = "3a0c5d1e-7b2f-4c8a-9d1e-2f3a4b5c6d05";
const HOOK = "3a0c5d1e-7b2f-4c8a-9d1e-2f3a4b5c6d06";
const DELIVERY = "3a0c5d1e-7b2f-4c8a-9d1e-2f3a4b5c6d07";
const BLOCK = "3a0c5d1e-7b2f-4c8a-9d1e-2f3a4b5c6d08";
const TOKEN = signToken({ sub: USER, role: "authenticated", aud: "authenticated" }, "test-secret");

function client(respond: (req: Captured) => { status: number; body: unknown }, { anon = false } = {}) {
  const rec = recordingFetch(respond);
  const { reports } = createDomusClient({ url: REST, anonKey: "anon-key", ...(anon ? {} : { accessToken: TOKEN }), fetch: rec.fetch });
  return { rec, reports };
}

const params = (req: Captured) => Object.fromEntries(req.url.searchParams.entries());

/** Every call refused before any request, with status 400 naming the field. */
async function refusedBeforeAnyRequest(calls: Array<[field: string, call: (r: ReturnType<typeof client>["reports"]) => Promise<unknown>]>) {
  for (const [field, call] of calls) {
    const { rec, reports } = client(ok());
    await expect(call(reports), field).rejects.toMatchObject({ status: 400, code: "invalid_request", field });
    expect(rec.requests, field).toHaveLength(0);
  }
}

describe("leads", () => {
  it("lists an account's leads by status, newest first, paged; gets one; moves its status; deletes it", async () => {
    const { rec, reports } = client(ok({ id: LEAD, status: "contacted" }));
    await reports.leads(ACCOUNT, { status: ["new", "contacted"], before: "2026-11-30T10:00:00Z", limit: 10 });
    await reports.leads(ACCOUNT, { status: "qualified" });
    await reports.lead(LEAD);
    expect(await reports.setLeadStatus(LEAD, "contacted")).toMatchObject({ status: "contacted" });
    await reports.deleteLead(LEAD);
    const [list, one, get, patch, del] = rec.requests;
    expect([list!.method, list!.url.pathname, list!.headers.get("accept-profile")]).toEqual(["GET", "/rest/v1/leads", "reports"]);
    expect(params(list!)).toEqual({
      select: "*", account_id: `eq.${ACCOUNT}`, status: "in.(new,contacted)", created_at: "lt.2026-11-30T10:00:00Z",
      order: "created_at.desc,id.asc", limit: "10",
    });
    expect([params(one!).status, params(one!).limit]).toEqual(["eq.qualified", "50"]);
    expect([get!.url.searchParams.get("id"), get!.headers.get("accept")]).toEqual([`eq.${LEAD}`, "application/vnd.pgrst.object+json"]);
    expect([patch!.method, patch!.url.pathname, patch!.url.searchParams.get("id"), patch!.headers.get("content-profile"), patch!.body])
      .toEqual(["PATCH", "/rest/v1/leads", `eq.${LEAD}`, "reports", { status: "contacted" }]);
    expect([del!.method, del!.url.searchParams.get("id")]).toEqual(["DELETE", `eq.${LEAD}`]);
  });

  it("keeps the status machine's refusal (409) and a member's rights (403)", async () => {
    const { reports } = client(refusing(409, "PT409", "status: a lead cannot go from converted to new"));
    await expect(reports.setLeadStatus(LEAD, "new")).rejects.toMatchObject({ status: 409, code: "PT409", field: "status" });
    const { reports: member } = client(refusing(403, "42501", "permission denied for table leads"));
    await expect(member.setLeadStatus(LEAD, "lost")).rejects.toMatchObject({ status: 403 });
  });

  it("submits the public form to reports-leads anonymously, the phone in E.164, and takes the one 202 answer", async () => {
    const { rec, reports } = client(() => ({ status: 202, body: { received: true } }), { anon: true });
    const answer = await reports.submitLead({
      shortCode: "ACME2345", name: " Morgan Lee ", email: "morgan@example.com", phone: "+1 (512) 555-0141", consent: true, source: "qr_code",
    });
    expect(answer).toEqual({ received: true });
    const req = only(rec);
    expect([req.method, req.url.href, req.headers.get("authorization"), req.headers.get("content-type")])
      .toEqual(["POST", `${REST}/functions/v1/reports-leads`, "Bearer anon-key", "application/json"]);
    expect(req.body).toEqual({ shortCode: "ACME2345", name: "Morgan Lee", email: "morgan@example.com", phone: "+15125550141", consent: true, source: "qr_code" });

    const { reports: gone } = client(() => ({ status: 404, body: { error: { code: "not_found", message: "short_code: no such report", field: "short_code" } } }), { anon: true });
    await expect(gone.submitLead({ shortCode: "ACME2345", email: "a@b.co", consent: true })).rejects.toMatchObject({ status: 404, field: "short_code" });
  });

  it("refuses what the database would, naming the field, before any request", async () => {
    await refusedBeforeAnyRequest([
      ["input", (r) => r.lead("not-a-uuid")],
      // @ts-expect-error: not a status
      ["status", (r) => r.setLeadStatus(LEAD, "won")],
      ["status", (r) => r.leads(ACCOUNT, { status: ["new", "maybe" as never] })],
      ["limit", (r) => r.leads(ACCOUNT, { limit: 0 })],
      // @ts-expect-error: consent must be true
      ["consent", (r) => r.submitLead({ shortCode: "ACME2345", email: "a@b.co", consent: false })],
      ["email", (r) => r.submitLead({ shortCode: "ACME2345", consent: true })],
      ["phone", (r) => r.submitLead({ shortCode: "ACME2345", phone: "512 555 0141", consent: true })],
      ["email", (r) => r.submitLead({ shortCode: "ACME2345", email: "not-an-address", consent: true })],
      ["message", (r) => r.submitLead({ shortCode: "ACME2345", email: "a@b.co", message: "x".repeat(2001), consent: true })],
      ["name", (r) => r.submitLead({ shortCode: "ACME2345", email: "a@b.co", name: "a\u0000b", consent: true })],
    ]);
    // A field the database sets (the lead's account, its agent) is not a body key of the form.
    const { rec, reports } = client(ok());
    await expect(reports.submitLead({ shortCode: "ACME2345", email: "a@b.co", consent: true, ...{ agent_id: USER } } as never))
      .rejects.toMatchObject({ status: 400 });
    expect(rec.requests).toHaveLength(0);
  });
});

describe("contacts and groups", () => {
  it("creates, searches, updates and deletes contacts with only the columns members write", async () => {
    const { rec, reports } = client(ok({ id: CONTACT }));
    await reports.createContact({ account_id: ACCOUNT, email: " Ann@Example.COM ", name: "Ann", type: "Client", notes: "met at open house" });
    await reports.contacts(ACCOUNT, { type: "client", search: "ann", limit: 20, offset: 40 });
    await reports.contact(CONTACT);
    await reports.updateContact(CONTACT, { type: "prospect", notes: null });
    await reports.deleteContact(CONTACT);
    const [create, list, get, patch, del] = rec.requests;
    expect([create!.method, create!.url.pathname, create!.headers.get("content-profile"), create!.body])
      .toEqual(["POST", "/rest/v1/contacts", "reports", { account_id: ACCOUNT, email: "ann@example.com", name: "Ann", type: "client", notes: "met at open house" }]);
    expect(params(list!)).toEqual({ select: "*", account_id: `eq.${ACCOUNT}`, type: "eq.client", or: '(name.ilike."*ann*",email.ilike."*ann*")', order: "email.asc", offset: "40", limit: "20" });
    expect(get!.url.searchParams.get("id")).toBe(`eq.${CONTACT}`);
    expect([patch!.method, patch!.url.searchParams.get("id"), patch!.body]).toEqual(["PATCH", `eq.${CONTACT}`, { type: "prospect", notes: null }]);
    expect([del!.method, del!.url.searchParams.get("id")]).toEqual(["DELETE", `eq.${CONTACT}`]);
  });

  it("a search term stays one quoted value: an address with dots, and no way out of the quotes", async () => {
    const { rec, reports } = client(ok());
    await reports.contacts(ACCOUNT, { search: "ann@example.com" });
    await reports.contacts(ACCOUNT, { search: 'a",account_id.neq.x),(b\\%_*' });
    const [email, hostile] = rec.requests.map((r) => r.url.searchParams.get("or"));
    expect(email).toBe('(name.ilike."*ann@example.com*",email.ilike."*ann@example.com*")');
    expect(hostile).toBe('(name.ilike."*a,account_id.neq.x),(b%_**",email.ilike."*a,account_id.neq.x),(b%_**")');
  });

  it("keeps a duplicate address (23505 -> 409) and a cross-account link (42501 -> 403)", async () => {
    const { reports } = client(refusing(409, "23505", 'duplicate key value violates unique constraint "contacts_account_email_key"'));
    await expect(reports.createContact({ account_id: ACCOUNT, email: "ann@example.com" })).rejects.toMatchObject({ status: 409, code: "23505" });
    const { reports: cross } = client(refusing(403, "42501", "contact_id: the contact and the group belong to different accounts"));
    await expect(cross.addGroupMembers(GROUP, [CONTACT])).rejects.toMatchObject({ status: 403, code: "42501", field: "contact_id" });
  });

  it("groups: create, list with member counts, rename, delete; members listed, added (each once) and removed", async () => {
    const { rec, reports } = client((req) =>
      req.url.pathname === "/rest/v1/contact_groups" && req.method === "GET"
        ? { status: 200, body: [{ id: GROUP, account_id: ACCOUNT, name: "Buyers", created_at: "2026-11-01T00:00:00Z", members: [{ count: 3 }] }] }
        : req.url.pathname === "/rest/v1/contacts"
          ? { status: 200, body: [{ id: CONTACT, email: "ann@example.com", link: [{ contact_group_id: GROUP }] }] }
          : { status: 201, body: { id: GROUP } });
    await reports.createContactGroup({ account_id: ACCOUNT, name: " Buyers " });
    expect(await reports.contactGroups(ACCOUNT)).toEqual([{ id: GROUP, account_id: ACCOUNT, name: "Buyers", created_at: "2026-11-01T00:00:00Z", member_count: 3 }]);
    await reports.renameContactGroup(GROUP, "Buyers 2027");
    expect(await reports.groupMembers(GROUP)).toEqual([{ id: CONTACT, email: "ann@example.com" }]);
    await reports.addGroupMembers(GROUP, [CONTACT, CONTACT_2]);
    await reports.removeGroupMember(GROUP, CONTACT);
    await reports.deleteContactGroup(GROUP);
    const [create, list, rename, members, add, remove, del] = rec.requests;
    expect([create!.method, create!.url.pathname, create!.body]).toEqual(["POST", "/rest/v1/contact_groups", { account_id: ACCOUNT, name: "Buyers" }]);
    expect(params(list!)).toEqual({ select: "*,members:contact_group_members(count)", account_id: `eq.${ACCOUNT}`, order: "name.asc" });
    expect([rename!.method, rename!.url.searchParams.get("id"), rename!.body]).toEqual(["PATCH", `eq.${GROUP}`, { name: "Buyers 2027" }]);
    expect(params(members!)).toEqual({ select: "*,link:contact_group_members!inner(contact_group_id)", "link.contact_group_id": `eq.${GROUP}`, order: "email.asc" });
    expect([add!.method, add!.url.pathname, add!.url.searchParams.get("on_conflict"), add!.headers.get("prefer"), add!.body]).toEqual([
      "POST", "/rest/v1/contact_group_members", "contact_group_id,contact_id", "resolution=ignore-duplicates",
      [{ contact_group_id: GROUP, contact_id: CONTACT }, { contact_group_id: GROUP, contact_id: CONTACT_2 }],
    ]);
    expect([remove!.method, remove!.url.searchParams.get("contact_group_id"), remove!.url.searchParams.get("contact_id")]).toEqual(["DELETE", `eq.${GROUP}`, `eq.${CONTACT}`]);
    expect([del!.method, del!.url.pathname, del!.url.searchParams.get("id")]).toEqual(["DELETE", "/rest/v1/contact_groups", `eq.${GROUP}`]);
  });

  it("imports a CSV as text/csv to reports-contacts-import with the account in the query, and checks the answer's shape", async () => {
    const answer = { imported: 2, skipped: [{ line: 3, field: "email", message: 'email: "nope" is not an email address' }], unknown_columns: ["Phone"] };
    const { rec, reports } = client(ok(answer));
    const csv = "name,email,Phone\r\nAnn,ann@example.com,1\r\nBob,nope,2\r\nCy,cy@example.com,3\r\n";
    expect(await reports.importContacts(ACCOUNT, csv)).toEqual(answer);
    const req = only(rec);
    expect([req.method, req.url.pathname, req.url.searchParams.get("account_id"), req.headers.get("content-type"), req.headers.get("authorization")])
      .toEqual(["POST", "/functions/v1/reports-contacts-import", ACCOUNT, "text/csv", `Bearer ${TOKEN}`]);
    expect(req.body).toBe(csv);

    const { reports: drifted } = client(ok({ imported: "2" }));
    await expect(drifted.importContacts(ACCOUNT, csv)).rejects.toMatchObject({ status: 502, code: "contract_mismatch" });
    const { reports: stranger } = client(() => ({ status: 403, body: { error: { code: "forbidden", message: "account_id: not a member", field: "account_id" } } }));
    await expect(stranger.importContacts(ACCOUNT, csv)).rejects.toMatchObject({ status: 403, field: "account_id" });
  });

  it("refuses bad contacts and groups, and the fields the database keeps, by name before any request", async () => {
    await refusedBeforeAnyRequest([
      ["email", (r) => r.createContact({ account_id: ACCOUNT, email: "not-an-address" })],
      ["email", (r) => r.createContact({ account_id: ACCOUNT, email: `${"a".repeat(250)}@x.co` })],
      ["type", (r) => r.createContact({ account_id: ACCOUNT, email: "a@b.co", type: "friend" as never })],
      ["name", (r) => r.createContact({ account_id: ACCOUNT, email: "a@b.co", name: "x".repeat(201) })],
      ["notes", (r) => r.createContact({ account_id: ACCOUNT, email: "a@b.co", notes: "x".repeat(2001) })],
      ["account_id", (r) => r.createContact({ account_id: "acme", email: "a@b.co" })],
      ["id", (r) => r.createContact({ account_id: ACCOUNT, email: "a@b.co", id: CONTACT })],
      ["account_id", (r) => r.updateContact(CONTACT, { account_id: ACCOUNT })],
      ["created_at", (r) => r.updateContact(CONTACT, { created_at: "2020-01-01T00:00:00Z" })],
      ["patch", (r) => r.updateContact(CONTACT, {})],
      ["name", (r) => r.createContactGroup({ account_id: ACCOUNT, name: "   " })],
      ["name", (r) => r.renameContactGroup(GROUP, "x".repeat(101))],
      ["contact_ids", (r) => r.addGroupMembers(GROUP, [])],
      ["contact_ids", (r) => r.addGroupMembers(GROUP, [CONTACT, CONTACT])],
      ["contact_ids.0", (r) => r.addGroupMembers(GROUP, ["nope"])],
      ["csv", (r) => r.importContacts(ACCOUNT, "")],
      ["csv", (r) => r.importContacts(ACCOUNT, "email\n\ud800@x.co\n")],
      ["csv", (r) => r.importContacts(ACCOUNT, `email\n${"a".repeat(1_048_577)}`)],
      ["search", (r) => r.contacts(ACCOUNT, { search: "" })],
    ]);
  });
});

describe("API keys", () => {
  it("lists keys naming the columns (never key_hash), creates one by RPC (the key comes back once), revokes one", async () => {
    const created = { id: KEY, key: "trk_PqvUfTDdDeYggDAH6R9s1zjFIyylWG1iSa3Z", key_prefix: "trk_PqvUfTDd", name: "curl", scopes: ["reports:read"], rate_limit: 60, created_at: "2026-12-01T12:00:00Z" };
    const { rec, reports } = client((req) => ({
      status: 200,
      body: req.url.pathname.endsWith("/create_api_key") ? created
        : req.url.pathname.endsWith("/revoke_api_key") ? { id: KEY, key_prefix: "trk_PqvUfTDd", is_active: false, revoked_at: "2026-12-01T12:05:00Z" }
        : [],
    }));
    await reports.apiKeys(ACCOUNT);
    expect(await reports.createApiKey({ account_id: ACCOUNT, name: " curl ", scopes: ["reports:read", "leads:read"], rate_limit: 120 })).toEqual(created);
    await reports.createApiKey({ account_id: ACCOUNT, name: "ci", scopes: ["schedules:write"] });
    expect(await reports.revokeApiKey(KEY)).toMatchObject({ is_active: false });
    const [list, create, defaults, revoke] = rec.requests;
    expect([list!.url.pathname, list!.url.searchParams.get("account_id"), list!.url.searchParams.get("order")])
      .toEqual(["/rest/v1/api_keys", `eq.${ACCOUNT}`, "created_at.desc,id.asc"]);
    expect(list!.url.searchParams.get("select")!.split(",").sort()).toEqual(
      ["account_id", "created_at", "created_by", "id", "is_active", "key_prefix", "last_used_at", "name", "rate_limit", "revoked_at", "scopes"]);
    expect([create!.method, create!.url.pathname, create!.headers.get("content-profile"), create!.body]).toEqual([
      "POST", "/rest/v1/rpc/create_api_key", "reports", { p_account_id: ACCOUNT, p_name: "curl", p_scopes: ["reports:read", "leads:read"], p_rate_limit: 120 },
    ]);
    expect(defaults!.body).toEqual({ p_account_id: ACCOUNT, p_name: "ci", p_scopes: ["schedules:write"] });
    expect([revoke!.url.pathname, revoke!.body]).toEqual(["/rest/v1/rpc/revoke_api_key", { p_id: KEY }]);
  });

  it("keeps the database's refusals: a member 403, past 100 keys 409, a revoked key again 409; a drifted answer 502", async () => {
    const input = { account_id: ACCOUNT, name: "curl", scopes: ["reports:read" as const] };
    const { reports } = client(refusing(403, "42501", "account_id: only owners and admins create API keys"));
    await expect(reports.createApiKey(input)).rejects.toMatchObject({ status: 403, field: "account_id" });
    const { reports: full } = client(refusing(409, "PT409", "account_id: at most 100 active API keys"));
    await expect(full.createApiKey(input)).rejects.toMatchObject({ status: 409 });
    const { reports: unseen } = client(refusing(404, "PT404", "id: no such API key"));
    await expect(unseen.revokeApiKey(KEY)).rejects.toMatchObject({ status: 404, field: "id" });
    const { reports: drifted } = client(ok({ id: KEY }));
    await expect(drifted.createApiKey(input)).rejects.toMatchObject({ status: 502, code: "contract_mismatch" });
  });

  it("refuses bad keys, naming the field, before any request", async () => {
    await refusedBeforeAnyRequest([
      ["name", (r) => r.createApiKey({ account_id: ACCOUNT, name: " ", scopes: ["reports:read"] })],
      ["scopes", (r) => r.createApiKey({ account_id: ACCOUNT, name: "x", scopes: [] })],
      ["scopes.0", (r) => r.createApiKey({ account_id: ACCOUNT, name: "x", scopes: ["admin" as never] })],
      ["rate_limit", (r) => r.createApiKey({ account_id: ACCOUNT, name: "x", scopes: ["reports:read"], rate_limit: 10_001 })],
      ["rate_limit", (r) => r.createApiKey({ account_id: ACCOUNT, name: "x", scopes: ["reports:read"], rate_limit: 1.5 })],
      // What the database makes: the key, its hash and prefix.
      ["key_hash", (r) => r.createApiKey({ account_id: ACCOUNT, name: "x", scopes: ["reports:read"], key_hash: "00" })],
      ["input", (r) => r.revokeApiKey("trk_abc")],
    ]);
  });
});

describe("webhooks", () => {
  const secretAnswer = {
    webhook: { id: HOOK, accountId: ACCOUNT, url: "http://127.0.0.1:8787/hook", events: ["webhook.test"], isActive: true, previousSecretExpiresAt: null, createdAt: "2026-12-01T12:00:00.000Z" },
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  };

  it("creates and rotates through reports-webhooks (the secret in the answer only); lists, edits and deletes naming the columns", async () => {
    const { rec, reports } = client((req) => ({ status: req.url.pathname.startsWith("/functions/") ? 201 : 200, body: req.url.pathname.startsWith("/functions/") ? secretAnswer : [] }));
    expect(await reports.createWebhook({ account_id: ACCOUNT, url: " http://127.0.0.1:8787/hook ", events: ["webhook.test", "report.completed"] })).toEqual(secretAnswer);
    expect(await reports.rotateWebhookSecret(HOOK)).toEqual(secretAnswer);
    await reports.webhooks(ACCOUNT);
    const { reports: editing, rec: edits } = client(ok({ id: HOOK }));
    await editing.updateWebhook(HOOK, { is_active: false });
    await editing.updateWebhook(HOOK, { url: "https://hooks.example.com/domus", events: ["lead.created"] });
    await editing.deleteWebhook(HOOK);
    const [create, rotate, list] = rec.requests;
    expect([create!.method, create!.url.pathname, create!.headers.get("authorization"), create!.body]).toEqual([
      "POST", "/functions/v1/reports-webhooks", `Bearer ${TOKEN}`,
      { action: "create", accountId: ACCOUNT, url: "http://127.0.0.1:8787/hook", events: ["webhook.test", "report.completed"] },
    ]);
    expect(rotate!.body).toEqual({ action: "rotate", webhookId: HOOK });
    const columns = list!.url.searchParams.get("select")!.split(",");
    expect(columns).not.toContain("secret");
    expect(columns).not.toContain("previous_secret");
    expect(columns).not.toContain("*");
    expect([list!.url.pathname, list!.url.searchParams.get("account_id")]).toEqual(["/rest/v1/webhooks", `eq.${ACCOUNT}`]);
    const [off, change, del] = edits.requests;
    expect([off!.method, off!.url.searchParams.get("id"), off!.body, off!.url.searchParams.get("select")])
      .toEqual(["PATCH", `eq.${HOOK}`, { is_active: false }, columns.join(",")]);
    expect(change!.body).toEqual({ url: "https://hooks.example.com/domus", events: ["lead.created"] });
    expect([del!.method, del!.url.pathname, del!.url.searchParams.get("id")]).toEqual(["DELETE", "/rest/v1/webhooks", `eq.${HOOK}`]);
  });

  it("lists deliveries by status and message, sends a test event and replays a delivery by RPC", async () => {
    const { rec, reports } = client((req) => ({ status: 200, body: req.url.pathname.includes("/rpc/") ? DELIVERY : [] }));
    await reports.webhookDeliveries(HOOK, { status: ["failed", "dead"], message_id: "msg_2abc", limit: 5 });
    expect(await reports.sendTestEvent(HOOK)).toBe(DELIVERY);
    expect(await reports.replayDelivery(DELIVERY)).toBe(DELIVERY);
    const [list, test, replay] = rec.requests;
    expect(params(list!)).toEqual({
      select: "*", webhook_id: `eq.${HOOK}`, status: "in.(failed,dead)", message_id: "eq.msg_2abc", order: "created_at.desc,attempt.desc", limit: "5",
    });
    expect([test!.method, test!.url.pathname, test!.headers.get("content-profile"), test!.body]).toEqual(["POST", "/rest/v1/rpc/send_test_webhook", "reports", { p_webhook_id: HOOK }]);
    expect([replay!.url.pathname, replay!.body]).toEqual(["/rest/v1/rpc/replay_webhook_delivery", { p_delivery_id: DELIVERY }]);
  });

  it("keeps the refusals: a private URL on a hosted project 400 url, a member 403, a disabled endpoint or a pending replay 409", async () => {
    const { reports } = client(() => ({ status: 400, body: { error: { code: "invalid_request", message: "url: 10.0.0.7 is a private address", field: "url" } } }));
    await expect(reports.createWebhook({ account_id: ACCOUNT, url: "https://10.0.0.7/hook", events: ["webhook.test"] })).rejects.toMatchObject({ status: 400, field: "url" });
    const { reports: member } = client(refusing(403, "42501", "webhook_id: only owners and admins send test events"));
    await expect(member.sendTestEvent(HOOK)).rejects.toMatchObject({ status: 403 });
    const { reports: pending } = client(refusing(409, "PT409", "delivery_id: an attempt of this message is still pending"));
    await expect(pending.replayDelivery(DELIVERY)).rejects.toMatchObject({ status: 409, field: "delivery_id" });
    const { reports: drifted } = client(() => ({ status: 201, body: { webhook: secretAnswer.webhook, secret: "not-a-secret" } }));
    await expect(drifted.createWebhook({ account_id: ACCOUNT, url: "http://127.0.0.1:8787/hook", events: ["webhook.test"] })).rejects.toMatchObject({ status: 502 });
  });

  it("refuses bad endpoints and the fields the worker keeps, by name, before any request", async () => {
    await refusedBeforeAnyRequest([
      ["url", (r) => r.createWebhook({ account_id: ACCOUNT, url: "ftp://example.com/hook", events: ["webhook.test"] })],
      ["url", (r) => r.createWebhook({ account_id: ACCOUNT, url: "not a url", events: ["webhook.test"] })],
      ["url", (r) => r.createWebhook({ account_id: ACCOUNT, url: `https://example.com/${"a".repeat(2000)}`, events: ["webhook.test"] })],
      ["events", (r) => r.createWebhook({ account_id: ACCOUNT, url: "https://example.com/hook", events: [] })],
      ["events", (r) => r.createWebhook({ account_id: ACCOUNT, url: "https://example.com/hook", events: ["webhook.test", "webhook.test"] })],
      ["events.0", (r) => r.createWebhook({ account_id: ACCOUNT, url: "https://example.com/hook", events: ["report.deleted" as never] })],
      ["secret", (r) => r.createWebhook({ account_id: ACCOUNT, url: "https://example.com/hook", events: ["webhook.test"], secret: "whsec_mine" })],
      ["secret", (r) => r.updateWebhook(HOOK, { secret: "whsec_mine" })],
      ["failing_since", (r) => r.updateWebhook(HOOK, { failing_since: null })],
      ["disabled_reason", (r) => r.updateWebhook(HOOK, { disabled_reason: null })],
      ["account_id", (r) => r.updateWebhook(HOOK, { account_id: ACCOUNT })],
      ["patch", (r) => r.updateWebhook(HOOK, {})],
      ["status", (r) => r.webhookDeliveries(HOOK, { status: "sent" as never })],
      ["input", (r) => r.replayDelivery("last")],
    ]);
  });
});

describe("platform admins: blocked addresses, lead rate limits, agent leaderboard", () => {
  it("lists, blocks (address or range), changes the reason and unblocks; reads the windows and the leaderboard", async () => {
    const { rec, reports } = client(ok({ id: BLOCK, ip_address: "203.0.113.0/24" }));
    await reports.blockedIps({ limit: 10 });
    await reports.blockIp({ ip_address: "203.0.113.7/24", reason: "form spam" });
    await reports.blockIp({ ip_address: "2001:db8::/48" });
    await reports.updateBlockedIp(BLOCK, "spam from a hosting range");
    await reports.unblockIp(BLOCK);
    await reports.leadRateLimits({ limit: 3 });
    await reports.agentLeaderboard({ limit: 10 });
    const [list, block, block6, reason, unblock, windows, board] = rec.requests;
    expect(params(list!)).toEqual({ select: "*", order: "created_at.desc,id.asc", limit: "10" });
    expect([block!.method, block!.url.pathname, block!.body]).toEqual(["POST", "/rest/v1/blocked_ips", { ip_address: "203.0.113.7/24", reason: "form spam" }]);
    expect(block6!.body).toEqual({ ip_address: "2001:db8::/48" });
    expect([reason!.method, reason!.url.searchParams.get("id"), reason!.body]).toEqual(["PATCH", `eq.${BLOCK}`, { reason: "spam from a hosting range" }]);
    expect([unblock!.method, unblock!.url.searchParams.get("id")]).toEqual(["DELETE", `eq.${BLOCK}`]);
    expect(params(windows!)).toEqual({ select: "*", order: "window_start.desc", limit: "3" });
    expect([board!.url.pathname, board!.headers.get("accept-profile"), params(board!)]).toEqual([
      "/rest/v1/admin_agent_leaderboard", "reports", { select: "*", order: "rank.asc,agent_id.asc", limit: "10" },
    ]);
  });

  it("keeps a non-admin's refusal (403) and a range already blocked (409)", async () => {
    const { reports } = client(refusing(403, "42501", 'new row violates row-level security policy for table "blocked_ips"'));
    await expect(reports.blockIp({ ip_address: "198.51.100.9" })).rejects.toMatchObject({ status: 403 });
    const { reports: twice } = client(refusing(409, "23505", 'duplicate key value violates unique constraint "blocked_ips_ip_address_key"'));
    await expect(twice.blockIp({ ip_address: "198.51.100.9" })).rejects.toMatchObject({ status: 409 });
  });

  it("refuses what the database would, naming the field, before any request", async () => {
    await refusedBeforeAnyRequest([
      ["ip_address", (r) => r.blockIp({ ip_address: "10.0.0.0/7" })],
      ["ip_address", (r) => r.blockIp({ ip_address: "2001:db8::/31" })],
      ["ip_address", (r) => r.blockIp({ ip_address: "256.1.1.1" })],
      ["ip_address", (r) => r.blockIp({ ip_address: "example.com" })],
      ["ip_address", (r) => r.blockIp({ ip_address: "10.0.0.1/33" })],
      ["ip_address", (r) => r.blockIp({ ip_address: "1::2::3" })],
      ["hit_count", (r) => r.blockIp({ ip_address: "10.0.0.1", hit_count: 0 })],
      ["reason", (r) => r.updateBlockedIp(BLOCK, "x".repeat(501))],
      ["limit", (r) => r.agentLeaderboard({ limit: 501 })],
      ["before", (r) => r.blockedIps({ before: "yesterday" })],
    ]);
  });
});
