// Signed URLs in the shared Storage layer: the hosted call's shape
// (POST /object/sign/{bucket}/{path} answering {signedURL}), the token's
// checks (object, signature, expiry) as memoryStorage and the local gateway
// both apply them.
import { memoryStorage, signObjectToken, StorageError, supabaseStorage, verifyObjectToken } from "./storage.ts";
import { assert, assertEquals } from "./testing.ts";

Deno.test("supabaseStorage.createSignedUrl: POST /object/sign with expiresIn, the answer made absolute; 404 is null", async () => {
  const seen: Array<{ url: string; body: unknown; auth: string | null }> = [];
  const storage = supabaseStorage({
    url: "https://proj.supabase.co/",
    serviceRoleKey: "service-key",
    fetch: async (input, init) => {
      const url = String(input);
      seen.push({ url, body: JSON.parse(String(init?.body)), auth: new Headers(init?.headers).get("authorization") });
      if (url.includes("missing")) return new Response(JSON.stringify({ error: "not_found" }), { status: 400 });
      return Response.json({ signedURL: "/object/sign/reports/a%20b/report.pdf?token=t.o.k" });
    },
  });
  assertEquals(await storage.createSignedUrl("reports", "a b/report.pdf", 300), "https://proj.supabase.co/storage/v1/object/sign/reports/a%20b/report.pdf?token=t.o.k");
  assertEquals(seen[0], { url: "https://proj.supabase.co/storage/v1/object/sign/reports/a%20b/report.pdf", body: { expiresIn: 300 }, auth: "Bearer service-key" });
  assertEquals(await storage.createSignedUrl("reports", "missing/report.pdf", 300), null);
  for (const bad of [0, 1.5, 604_801]) {
    const error = await storage.createSignedUrl("reports", "x/report.pdf", bad).catch((e) => e);
    assert(error instanceof StorageError && error.status === 400, `expiresIn ${bad} refused`);
  }
});

Deno.test("signed tokens: the object, the signature and the expiry are all checked", async () => {
  const secret = "sign-test-secret-with-32-characters!!!!";
  const now = 1_800_000_000;
  const token = await signObjectToken(secret, "reports", "a/b.pdf", 60, now);
  await verifyObjectToken(secret, token, "reports", "a/b.pdf", now + 59);
  const refused = async (t: string, path: string, at: number) => {
    const e = await verifyObjectToken(secret, t, "reports", path, at).then(() => null, (x) => x);
    assert(e instanceof StorageError && e.status === 400, `refused: ${path} at ${at}`);
    return (e as Error).message;
  };
  assertEquals(await refused(token, "a/b.pdf", now + 61), "signed URL: token expired");
  assertEquals(await refused(token, "a/c.pdf", now), "signed URL: token is for another object");
  assertEquals(await refused(await signObjectToken("another-secret-with-32-characters!!!!!!", "reports", "a/b.pdf", 60, now), "a/b.pdf", now), "signed URL: invalid signature");
  await refused(token.slice(0, -3) + "abc", "a/b.pdf", now);
  await refused("not-a-token", "a/b.pdf", now);
});

Deno.test("memoryStorage: a signed URL reads its object until it expires; none for a missing object", async () => {
  const storage = memoryStorage();
  await storage.upload("reports", "acc/rep/report.csv", new TextEncoder().encode("a,b\r\n"), "text/csv");
  const url = (await storage.createSignedUrl("reports", "acc/rep/report.csv", 120))!;
  assert(url.startsWith("http://storage.test/storage/v1/object/sign/reports/acc/rep/report.csv?token="), url);
  assertEquals(new TextDecoder().decode((await storage.readSigned(url)).bytes), "a,b\r\n");
  const late = await storage.readSigned(url, Date.now() / 1000 + 121).catch((e) => e);
  assert(late instanceof StorageError && /expired/.test(late.message), String(late));
  assertEquals(await storage.createSignedUrl("reports", "acc/rep/none.csv", 120), null);
});
