// Each marketplace adapter against its local fake over real HTTP: the OAuth
// code exchange and token lifetimes, refresh before token_expires_at and on
// a 401, the idempotent item PUT (same SKU twice = one item), 429 answers
// handed to the caller with how long to wait, and each API's errors mapped.
import { ebayAdapter } from "../_shared/quicksell/marketplaces/ebay.ts";
import { etsyAdapter } from "../_shared/quicksell/marketplaces/etsy.ts";
import { frozenClock, serveFake } from "../_shared/quicksell/marketplaces/fake-common.ts";
import { createFakeEbay, EBAY_ACCESS_SECONDS, EBAY_REFRESH_SECONDS } from "../_shared/quicksell/marketplaces/fake-ebay.ts";
import { createFakeEtsy, ETSY_ACCESS_SECONDS } from "../_shared/quicksell/marketplaces/fake-etsy.ts";
import { ebayLocalConfig, etsyLocalConfig } from "../_shared/quicksell/marketplaces/index.ts";
import { localAdapter } from "../_shared/quicksell/marketplaces/local.ts";
import { tokenSession } from "../_shared/quicksell/marketplaces/session.ts";
import { type ItemData, type MarketplaceAdapter, MarketplaceError, type TokenSet } from "../_shared/quicksell/marketplaces/types.ts";
import { assert, assertEquals } from "../_shared/testing.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;

const item = (sku: string, over: Partial<ItemData> = {}): ItemData => ({
  sku,
  title: "Vintage denim jacket",
  description: "Levi's trucker jacket, size M, barely worn.",
  price: 45,
  currency: "USD",
  condition: "good",
  category: "clothing",
  brand: "Levi's",
  imageUrls: ["https://example.com/jacket.jpg"],
  quantity: 1,
  ...over,
});

async function rejects(p: Promise<unknown>): Promise<MarketplaceError> {
  const error = await p.then(() => null, (e) => e);
  assert(error instanceof MarketplaceError, `expected a MarketplaceError, got ${error}`);
  return error as MarketplaceError;
}

/** Connects a seller on the fake and returns a session whose persisted token sets are recorded. */
async function connect(adapter: MarketplaceAdapter, now: () => number, seller: string) {
  const code = await adapter.simulateConsent!(seller);
  const redirect = adapter.name === "ebay" ? "QuickSell-local-RuName" : "http://127.0.0.1/quicksell/etsy/callback";
  const { tokens, account } = await adapter.exchangeCode(code, redirect);
  const persisted: TokenSet[] = [];
  const session = tokenSession({
    adapter,
    account: { marketplaceUserId: account.marketplaceUserId, extra: account.extra },
    tokens,
    now,
    persist: (t) => Promise.resolve(void persisted.push(t)),
  });
  return { session, tokens, account, persisted, code, redirect };
}

function ebaySetup() {
  const clock = frozenClock();
  const fake = createFakeEbay({ clock });
  const served = serveFake(fake.handler);
  const adapter = ebayAdapter(ebayLocalConfig(served.url, { now: clock.now }));
  return { clock, fake, served, adapter };
}

function etsySetup() {
  const clock = frozenClock();
  const fake = createFakeEtsy({ clock });
  const served = serveFake(fake.handler);
  const adapter = etsyAdapter(etsyLocalConfig(served.url, { now: clock.now }));
  return { clock, fake, served, adapter };
}

Deno.test("ebay: code exchange gives a 2 h access token and an 18-month refresh token; a code works once", async () => {
  const { clock, served, adapter } = ebaySetup();
  try {
    assertEquals(adapter.mode, "local");
    const { tokens, account, code, redirect } = await connect(adapter, clock.now, "alice");
    assertEquals(tokens.expiresAt.getTime() - clock.now(), EBAY_ACCESS_SECONDS * 1000);
    assertEquals(tokens.refreshExpiresAt!.getTime() - clock.now(), EBAY_REFRESH_SECONDS * 1000);
    assert(tokens.accessToken.startsWith("v^1.1#") && tokens.refreshToken!.startsWith("v^1.1#"), "eBay-shaped tokens");
    assertEquals(account.accountName, "qs_alice");
    const replay = await rejects(adapter.exchangeCode(code, redirect));
    assertEquals([replay.kind, replay.code], ["auth", "invalid_grant"]);
  } finally {
    await served.close();
  }
});

Deno.test("ebay: the same SKU PUT twice is one inventory item and one offer; publish gives a 12-digit listing id", async () => {
  const { clock, fake, served, adapter } = ebaySetup();
  try {
    const { session } = await connect(adapter, clock.now, "bob");
    const first = await adapter.upsertItem(session, item("QS-1"), { sku: "QS-1" });
    // A rerun that lost our checkpoint (no offerId known): adopts the existing offer via 25002.
    const again = await adapter.upsertItem(session, item("QS-1", { price: 50 }), { sku: "QS-1" });
    assertEquals(fake.items.size, 1);
    assertEquals([...fake.items.values()][0].puts, 2);
    assertEquals(fake.offers.size, 1);
    assertEquals(again.offerId, first.offerId);
    assert(/^\d{10}$/.test(first.offerId!), `offerId ${first.offerId}`);
    const offerPrice = (fake.offers.get(first.offerId!)!.body.pricingSummary as { price: { value: string } }).price.value;
    assertEquals(offerPrice, "50.00", "the adopted offer was replaced with the new price");
    const live = await adapter.publish(session, again);
    assert(/^11\d{10}$/.test(live.listingId!), `listingId ${live.listingId}`);
    assertEquals(live.url, `${served.url}/itm/${live.listingId}`);
    assertEquals((await adapter.status(session, live)).state, "active");
    // Publishing again revises the same listing.
    assertEquals((await adapter.publish(session, live)).listingId, live.listingId);
  } finally {
    await served.close();
  }
});

Deno.test("ebay: refreshes before token_expires_at without a 401, and on a 401 retries once", async () => {
  const { clock, fake, served, adapter } = ebaySetup();
  try {
    const { session, persisted, tokens } = await connect(adapter, clock.now, "carol");
    await adapter.upsertItem(session, item("QS-2"), { sku: "QS-2" });
    assertEquals(session.refreshes, 0);
    clock.advance(2 * HOUR - 4 * MIN); // inside the 5-minute margin: still valid at eBay, refreshed by us
    const callsBefore = fake.calls.length;
    await adapter.upsertItem(session, item("QS-2"), { sku: "QS-2" });
    assertEquals(session.refreshes, 1);
    assertEquals(persisted.length, 1, "the new token was persisted before use");
    assert(persisted[0].accessToken !== tokens.accessToken, "a new access token");
    assertEquals(persisted[0].refreshToken, tokens.refreshToken, "eBay keeps the refresh token");
    // PUT item, POST offer (25002: it exists), GET offer by SKU, PUT offer: all past auth, none refused with 401.
    assertEquals(fake.calls.slice(callsBefore), [
      "PUT /sell/inventory/v1/inventory_item/QS-2",
      "POST /sell/inventory/v1/offer",
      "GET /sell/inventory/v1/offer",
      "PUT /sell/inventory/v1/offer/" + [...fake.offers.keys()][0],
    ]);
    // Revoked early: the 401 triggers one refresh and the call goes through.
    fake.revokeAccessTokens();
    const st = await adapter.status(session, { sku: "QS-2" });
    assertEquals(st.state, "draft");
    const ref = await adapter.upsertItem(session, item("QS-2"), { sku: "QS-2" });
    assertEquals((await adapter.status(session, ref)).state, "draft");
    assertEquals(session.refreshes, 2);
    // 18 months later the refresh token is dead too: the seller must reconnect.
    clock.advance(EBAY_REFRESH_SECONDS * 1000);
    const dead = await rejects(adapter.upsertItem(session, item("QS-2"), ref));
    assertEquals(dead.kind, "auth");
    assert(/reconnect/.test(dead.message), dead.message);
  } finally {
    await served.close();
  }
});

Deno.test("ebay: 429 is rate_limited with a wait for the caller; errors keep eBay's errorId", async () => {
  const { clock, fake, served, adapter } = ebaySetup();
  try {
    const { session } = await connect(adapter, clock.now, "dave");
    fake.setPerSecond(2);
    await adapter.upsertItem(session, item("QS-3"), { sku: "QS-3" }); // PUT + POST offer: 2 calls
    const limited = await rejects(adapter.status(session, { sku: "QS-3", offerId: [...fake.offers.keys()][0] }));
    assertEquals([limited.kind, limited.status, limited.code, limited.retryable], ["rate_limited", 429, "2001", true]);
    assert(limited.retryAfterMs! > 0, "a wait is signalled");
    clock.advance(1000);
    // No image: publish is refused in eBay's format, not retryable.
    const bare = await adapter.upsertItem(session, item("QS-4", { imageUrls: [] }), { sku: "QS-4" });
    clock.advance(1000);
    const refused = await rejects(adapter.publish(session, bare));
    assertEquals([refused.kind, refused.status, refused.code, refused.retryable], ["invalid", 400, "25002", false]);
    assert(/ImageUrls/.test(refused.message), refused.message);
    clock.advance(1000);
    fake.force(/\/publish$/, 503);
    const down = await rejects(adapter.publish(session, { ...bare }));
    assertEquals([down.kind, down.retryable], ["unavailable", true]);
    clock.advance(1000);
    const bad = await rejects(adapter.upsertItem(session, item("bad sku!"), { sku: "bad sku!" }));
    assertEquals([bad.kind, bad.code], ["invalid", "25707"]);
  } finally {
    await served.close();
  }
});

Deno.test("ebay: withdraw ends the listing, a second withdraw is not an error; a buyer's purchase reads as sold", async () => {
  const { clock, fake, served, adapter } = ebaySetup();
  try {
    const { session } = await connect(adapter, clock.now, "erin");
    const a = await adapter.publish(session, await adapter.upsertItem(session, item("QS-5"), { sku: "QS-5" }));
    await adapter.withdraw(session, a);
    await adapter.withdraw(session, a);
    assertEquals((await adapter.status(session, a)).state, "delisted");
    const b = await adapter.publish(session, await adapter.upsertItem(session, item("QS-6"), { sku: "QS-6" }));
    assertEquals(await fake.buy(b.listingId!), true);
    assertEquals(await fake.buy(b.listingId!), false, "sold once");
    assertEquals((await adapter.status(session, b)).state, "sold");
    const relist = await rejects(adapter.publish(session, b));
    assertEquals(relist.kind, "invalid");
  } finally {
    await served.close();
  }
});

Deno.test("etsy: PKCE-free local consent, 1 h access token, refresh rotates both tokens and the old one dies", async () => {
  const { clock, served, adapter } = etsySetup();
  try {
    const { session, tokens, account, persisted } = await connect(adapter, clock.now, "alice");
    assertEquals(tokens.expiresAt.getTime() - clock.now(), ETSY_ACCESS_SECONDS * 1000);
    assert(/^\d+\./.test(tokens.accessToken) && tokens.accessToken.startsWith(`${account.marketplaceUserId}.`), "Etsy-shaped token");
    assert(/^\d+$/.test(account.extra.shop_id), "shop id");
    const draft = await adapter.upsertItem(session, item("QS-7"), { sku: "QS-7" });
    clock.advance(HOUR - 2 * MIN);
    assertEquals((await adapter.status(session, draft)).state, "draft");
    assertEquals(session.refreshes, 1);
    assert(persisted[0].refreshToken !== tokens.refreshToken, "Etsy rotates the refresh token");
    const stale = await rejects(adapter.refresh(tokens.refreshToken!));
    assertEquals([stale.kind, stale.code], ["auth", "invalid_grant"]);
  } finally {
    await served.close();
  }
});

Deno.test("etsy: draft then active; a rerun with the recorded listing id updates (one listing); price through the inventory", async () => {
  const { clock, fake, served, adapter } = etsySetup();
  try {
    const { session } = await connect(adapter, clock.now, "bob");
    const draft = await adapter.upsertItem(session, item("QS-8"), { sku: "QS-8" });
    assertEquals((await adapter.status(session, draft)).state, "draft");
    const again = await adapter.upsertItem(session, item("QS-8", { price: 39.5, title: "Denim jacket (M)" }), draft);
    assertEquals(fake.listings.size, 1);
    assertEquals(again.listingId, draft.listingId);
    const l = fake.listings.get(Number(draft.listingId))!;
    assertEquals([l.price, l.title], [39.5, "Denim jacket (M)"]);
    clock.advance(1000); // 10 requests a second
    const live = await adapter.publish(session, again);
    assertEquals((await adapter.status(session, live)).state, "active");
    assertEquals(live.url, `${served.url}/listing/${draft.listingId}`);
    clock.advance(1000);
    await adapter.withdraw(session, live);
    assertEquals((await adapter.status(session, live)).state, "delisted");
    await adapter.publish(session, live);
    await fake.buy(live.listingId!);
    assertEquals((await adapter.status(session, live)).state, "sold");
    await adapter.withdraw(session, live); // sold out: nothing to withdraw, not an error
  } finally {
    await served.close();
  }
});

Deno.test("etsy: 401 refreshes once and retries; 429 carries retry-after; a wrong x-api-key and bad fields are invalid", async () => {
  const { clock, fake, served, adapter } = etsySetup();
  try {
    const { session } = await connect(adapter, clock.now, "carol");
    fake.revokeAccessTokens();
    const d = await adapter.upsertItem(session, item("QS-9"), { sku: "QS-9" });
    assertEquals(session.refreshes, 1);
    clock.advance(1000);
    fake.setPerSecond(1);
    await adapter.status(session, d);
    const limited = await rejects(adapter.status(session, d));
    assertEquals([limited.kind, limited.status, limited.retryAfterMs], ["rate_limited", 429, 1000]);
    clock.advance(1000);
    fake.setPerSecond(10);
    const cheap = await rejects(adapter.upsertItem(session, item("QS-10", { price: 0.05 }), { sku: "QS-10" }));
    assertEquals([cheap.kind, cheap.status], ["invalid", 400]);
    assert(/price/.test(cheap.message), cheap.message);
    const other = etsyAdapter(etsyLocalConfig(served.url, { now: clock.now, apiKey: "not-our-key" }));
    const wrong = await rejects(other.status(session, d));
    assertEquals([wrong.kind, wrong.status], ["invalid", 403]);
  } finally {
    await served.close();
  }
});

Deno.test("local: QuickSell's own marketplace works in process and counts its calls", async () => {
  const local = localAdapter({ listingUrl: (sku) => `https://quicksell.test/l/${sku}` });
  const { tokens } = await local.exchangeCode("local", "");
  const session = tokenSession({ adapter: local, account: { marketplaceUserId: null, extra: {} }, tokens, persist: () => Promise.resolve() });
  const ref = await local.publish(session, await local.upsertItem(session, item("QS-11"), { sku: "QS-11" }));
  assertEquals([ref.listingId, ref.url, (await local.status(session, ref)).state], ["qs-QS-11", "https://quicksell.test/l/QS-11", "active"]);
  await local.withdraw(session, ref);
  assertEquals([(await local.status(session, ref)).state, local.calls.withdraw, session.refreshes], ["delisted", 1, 0]);
});
