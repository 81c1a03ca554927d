// Tokens at rest: AES-256-GCM under QUICKSELL_TOKEN_KEY, `v1:<iv>:<ct>`.
// A ciphertext made under one key fails under another, and any edit (or
// moving it to another row or column) fails too.
import { importTokenKey, newTokenKey, tokenCipher, TokenCryptoError, tokenCipherFromEnv } from "../_shared/quicksell/token-crypto.ts";
import { assert, assertEquals } from "../_shared/testing.ts";

async function fails(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => null, (x) => x);
  assert(e instanceof TokenCryptoError, `expected TokenCryptoError, got ${e}`);
  return (e as Error).message;
}

Deno.test("token crypto: round trip, versioned text, fresh iv each time, never the plain token", async () => {
  const c = tokenCipher(await importTokenKey(newTokenKey()));
  const plain = "v^1.1#i^1#p^3#r^1#I^3#f^0#t^secret-refresh-token";
  const a = await c.encrypt(plain, "acct-1:refresh_token");
  const b = await c.encrypt(plain, "acct-1:refresh_token");
  assert(/^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/=]+$/.test(a), a);
  assert(a !== b, "a random iv per encryption");
  assert(!a.includes("secret"), "no plain text inside");
  assertEquals(await c.decrypt(a, "acct-1:refresh_token"), plain);
});

Deno.test("token crypto: another key, another row or column, and tampering all fail", async () => {
  const one = tokenCipher(await importTokenKey(newTokenKey()));
  const two = tokenCipher(await importTokenKey(newTokenKey()));
  const ct = await one.encrypt("access-token", "acct-1:access_token");
  await fails(two.decrypt(ct, "acct-1:access_token"));
  await fails(one.decrypt(ct, "acct-2:access_token"));
  await fails(one.decrypt(ct, "acct-1:refresh_token"));
  const [v, iv, body] = ct.split(":");
  const flipped = body[0] === "A" ? `B${body.slice(1)}` : `A${body.slice(1)}`;
  await fails(one.decrypt(`${v}:${iv}:${flipped}`, "acct-1:access_token"));
  await fails(one.decrypt(`v2:${iv}:${body}`, "acct-1:access_token"));
  await fails(one.decrypt("plain-token", "acct-1:access_token"));
});

Deno.test("token crypto: the key must be base64 of 32 bytes, and must be set", async () => {
  await fails(importTokenKey(btoa("short")));
  await fails(importTokenKey("not base64 !!"));
  await fails(tokenCipherFromEnv(() => undefined));
  const c = await tokenCipherFromEnv(() => newTokenKey());
  assertEquals(await c.decrypt(await c.encrypt("x", "k"), "k"), "x");
});

Deno.test("token crypto is the shared secret box: what one seals the other opens, under the same key and row", async () => {
  const { secretBox } = await import("../_shared/secret-box.ts");
  const key = newTokenKey();
  const box = secretBox(key, "QUICKSELL_TOKEN_KEY");
  const c = tokenCipher(await importTokenKey(key));
  assertEquals(await c.decrypt(await box.seal("tok", "acct-1:access_token"), "acct-1:access_token"), "tok");
  assertEquals(await box.open(await c.encrypt("tok", "acct-1:access_token"), "acct-1:access_token"), "tok");
  assert((await fails(importTokenKey(btoa("short")))).startsWith("QUICKSELL_TOKEN_KEY:"), "a bad key names the variable");
});
