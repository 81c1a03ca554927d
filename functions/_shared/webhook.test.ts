// Reading a webhook body under a cap: the hash and size are of what was sent,
// the text kept is capped, and a refused body is stored as a short prefix.
import { createHash } from "node:crypto";
import { assert, assertEquals } from "./testing.ts";
import { cappedPayload, readBody, STORED_PREFIX_CHARS } from "./webhook.ts";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const post = (body: string) => new Request("http://x/", { method: "POST", body });

Deno.test("a body within the cap is read whole, with its sha256 and byte size", async () => {
  const text = "pf_payment_id=1&item_name=Caf%C3%A9 ü";
  const body = await readBody(post(text), 1024);
  assertEquals([body.text, body.tooLarge, body.sha256, body.bytes], [text, false, sha256(text), new TextEncoder().encode(text).length]);
});

Deno.test("an oversize body is flagged, its text capped, its hash still that of every byte sent", async () => {
  const text = "x".repeat(5000);
  const body = await readBody(post(text), 100);
  assertEquals([body.tooLarge, body.text.length, body.bytes, body.sha256], [true, 100, 5000, sha256(text)]);
  const stored = cappedPayload(body);
  assertEquals(stored.truncated, true);
  assert(String(stored.raw).length <= STORED_PREFIX_CHARS, "stored prefix capped");
});

Deno.test("a refused body keeps a prefix without NUL characters (jsonb refuses them)", async () => {
  const stored = cappedPayload(await readBody(post("a\u0000b"), 100));
  assertEquals(stored, { raw: "ab", truncated: false });
});
