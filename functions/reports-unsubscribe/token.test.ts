// Unsubscribe tokens: a token names one (account, address) and nothing
// else; forged, tampered, other-address and other-key tokens are refused.
import { assert, assertEquals, assertThrows } from "../_shared/messaging/testing.ts";
import { signUnsubscribeToken, unsubscribeHeaders, unsubscribeUrl, verifyUnsubscribeToken } from "../_shared/messaging/unsubscribe.ts";

const KEY = "k".repeat(16) + crypto.randomUUID();
const ACCOUNT = crypto.randomUUID();
const OTHER_ACCOUNT = crypto.randomUUID();

const b64url = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

Deno.test("unsubscribe token: round trip, address normalised", () => {
  const token = signUnsubscribeToken(KEY, ACCOUNT, "  Zoe.Agent@Example.COM ");
  assertEquals(verifyUnsubscribeToken(KEY, token), { accountId: ACCOUNT, email: "zoe.agent@example.com" });
  assertEquals(token, signUnsubscribeToken(KEY, ACCOUNT.toUpperCase(), "zoe.agent@example.com"), "same address, same token");
});

Deno.test("unsubscribe token: another address or account under the same MAC is refused", () => {
  const token = signUnsubscribeToken(KEY, ACCOUNT, "zoe@example.com");
  const [account, , mac] = token.split(".");
  assertEquals(verifyUnsubscribeToken(KEY, `${account}.${b64url("victim@example.com")}.${mac}`), null, "other address");
  assertEquals(verifyUnsubscribeToken(KEY, `${OTHER_ACCOUNT}.${token.split(".")[1]}.${mac}`), null, "other account");
  assertEquals(verifyUnsubscribeToken(KEY, `${account}.${b64url("ZOE@example.com")}.${mac}`), null, "an unnormalised copy is not the same token");
});

Deno.test("unsubscribe token: forged, tampered and malformed tokens are refused", () => {
  const token = signUnsubscribeToken(KEY, ACCOUNT, "zoe@example.com");
  const [account, email, mac] = token.split(".");
  const flipped = mac.slice(0, -2) + (mac.at(-2) === "A" ? "B" : "A") + mac.at(-1);
  const forged = signUnsubscribeToken("another-key-".repeat(4), ACCOUNT, "zoe@example.com");
  for (
    const bad of [
      forged, `${account}.${email}.${flipped}`, `${account}.${email}`, `${account}.${email}.${mac}.x`, `${account}.${email}.${mac.slice(0, 20)}`,
      `not-a-uuid.${email}.${mac}`, `${account}.${email}!.${mac}`, `${account}..${mac}`, "", "...", "x".repeat(5000),
      `${account}.${b64url("\xff\xfe")}.${mac}`,
    ]
  ) assertEquals(verifyUnsubscribeToken(KEY, bad), null, `refused: ${bad.slice(0, 60)}`);
  assertEquals(verifyUnsubscribeToken(KEY, null), null);
});

Deno.test("unsubscribe token: a key shorter than 32 characters is refused outright", () => {
  assertThrows(() => signUnsubscribeToken("short", ACCOUNT, "zoe@example.com"), Error, "REPORTS_UNSUBSCRIBE_KEY");
  assertThrows(() => signUnsubscribeToken(KEY, "nope", "zoe@example.com"), Error, "accountId");
});

Deno.test("unsubscribe headers: RFC 2369 angle brackets and the RFC 8058 one-click value", () => {
  const token = signUnsubscribeToken(KEY, ACCOUNT, "zoe@example.com");
  const url = unsubscribeUrl("https://abc.supabase.co/functions/v1/", token);
  assert(url.startsWith("https://abc.supabase.co/functions/v1/reports-unsubscribe?t="));
  assertEquals(new URL(url).searchParams.get("t"), token);
  assertEquals(unsubscribeHeaders(url), { "List-Unsubscribe": `<${url}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" });
});
