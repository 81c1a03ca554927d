// The payment webhooks behind the real local gateway: the gateway, like
// Cloudflare in front of hosted Supabase, overwrites the trusted client
// address header with the socket's peer, so a client cannot choose the
// address its request is recorded (and source-checked) with.
import { createHash } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, db } from "./support/db.ts";
import { stackEnv } from "./support/stack-env.ts";

const env = stackEnv();
afterAll(closeDb);

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

async function recorded(body: string) {
  const { rows } = await db().query(
    "select status, host(source_ip) as ip, error from public.billing_events where payload_sha256 = $1",
    [sha256(body)],
  );
  return rows;
}

describe("client address through the gateway", () => {
  it("a forged cf-connecting-ip and x-forwarded-for are replaced by the socket's address (PayFast)", async () => {
    const body = `pf_payment_id=${crypto.randomUUID()}&payment_status=COMPLETE&m_payment_id=x&amount_gross=1.00&signature=${"0".repeat(32)}`;
    const res = await fetch(`${env.functionsUrl}/payfast-itn`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": "198.51.100.77", "x-forwarded-for": "198.51.100.78" },
      body,
    });
    expect(res.status).toBe(400);
    expect(await recorded(body)).toEqual([{ status: "rejected", ip: "127.0.0.1", error: "signature: does not match the posted fields" }]);
  });

  it("a JSON body sent to PayFast's endpoint is refused and still recorded", async () => {
    const body = JSON.stringify({ hello: crypto.randomUUID() });
    const res = await fetch(`${env.functionsUrl}/payfast-itn`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(res.status).toBe(400);
    expect((await recorded(body)).map((r) => [r.status, r.ip])).toEqual([["rejected", "127.0.0.1"]]);
  });

  it("a Stripe request with a bad signature is recorded with the socket's address, not the forged one", async () => {
    const body = JSON.stringify({ id: `evt_${crypto.randomUUID()}`, type: "invoice.paid" });
    const res = await fetch(`${env.functionsUrl}/stripe-webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": "t=1,v1=deadbeef", "cf-connecting-ip": "198.51.100.79" },
      body,
    });
    expect(res.status).toBe(400);
    expect((await recorded(body)).map((r) => [r.status, r.ip])).toEqual([["rejected", "127.0.0.1"]]);
  });
});
