// /functions/v1/marketplace-sync — QuickSell cross-posting (seed 001), four callers:
//   * POST /connect, a signed-in seller: connects an eBay / Etsy / local
//     marketplace account (connect.ts; tokens encrypted before they are stored);
//   * POST / with the service-role key, body {"queue": "quicksell.sync"}: the
//     queue worker (work.ts; each job in _shared/quicksell/sync.ts);
//   * POST /notify, a marketplace reporting a change (a sale): queues a poll
//     of that copy, which reads the truth with the seller's token;
//   * /_fake/ebay/... and /_fake/etsy/...: the local fakes of each
//     marketplace whose credentials are not set (mode "local").
// The gateway does not check JWTs here (verify_jwt = false: the fakes and
// notifications carry none); each route checks its own caller.
import { notifyInput } from "@domus/contracts/quicksell-sync.ts";
import { connect, revocationReason } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, json, parseBody, withErrors } from "../_shared/http.ts";
import { createFakeEbay, type FakeEbay } from "../_shared/quicksell/marketplaces/fake-ebay.ts";
import { createFakeEtsy, type FakeEtsy } from "../_shared/quicksell/marketplaces/fake-etsy.ts";
import { adaptersFromEnv } from "../_shared/quicksell/marketplaces/index.ts";
import { syncStore } from "../_shared/quicksell/store.ts";
import { lazyTokenCipher } from "../_shared/quicksell/token-crypto.ts";
import { serviceRole } from "../_shared/worker.ts";
import { connectAccount } from "./connect.ts";
import type { MarketplaceSyncDeps } from "./deps.ts";
import { work } from "./work.ts";

export type { MarketplaceSyncDeps } from "./deps.ts";

/** The route after /marketplace-sync ("" for the function itself). */
export function routeOf(req: Request): string {
  const path = new URL(req.url).pathname;
  const at = path.indexOf("/marketplace-sync");
  return at < 0 ? path : path.slice(at + "/marketplace-sync".length).replace(/\/+$/, "");
}

export function createHandler(deps: MarketplaceSyncDeps) {
  return withErrors(async (req) => {
    const route = routeOf(req);
    const fake = /^\/_fake\/(ebay|etsy)(\/|$)/.exec(route);
    if (fake) {
      const served = deps.fakes[fake[1] as "ebay" | "etsy"];
      if (!served) return errorResponse(404, "not_found", `${fake[1]}: live credentials are set, so its local fake is not served`);
      return await served.handler(req);
    }
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "method: use POST");
    if (route === "/connect") return await connectAccount(deps, req);
    if (route === "/notify") {
      const body = await parseBody(req, notifyInput);
      const queued = await deps.store.notify(body.marketplace, body.listingId);
      return json({ queued }, 202);
    }
    if (route === "") {
      if (await serviceRole(req, deps.jwtSecret)) return await work(deps, req);
      return errorResponse(401, "service_role_required", "authorization: the worker runs with the service-role key; sellers use /connect");
    }
    return errorResponse(404, "not_found", `route ${route}: use /connect, /notify or the worker`);
  });
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"), 5);
  const base = `${requireEnv("SUPABASE_URL")}/functions/v1/marketplace-sync`;
  const notify = async (event: { marketplace: "ebay" | "etsy"; listingId: string }) => {
    // What a marketplace's notification would do: tell us, over HTTP, that something sold.
    const res = await fetch(`${base}/notify`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(event) });
    await res.body?.cancel();
  };
  const adapters = adaptersFromEnv((n) => Deno.env.get(n), { fakeBase: `${base}/_fake` });
  const fakes: { ebay?: FakeEbay; etsy?: FakeEtsy } = {
    ebay: adapters.modes.ebay === "local" ? createFakeEbay({ notify }) : undefined,
    etsy: adapters.modes.etsy === "local" ? createFakeEtsy({ notify }) : undefined,
  };
  console.log(`marketplace-sync: ebay ${adapters.modes.ebay}, etsy ${adapters.modes.etsy}, local local`);
  return createHandler({
    jwtSecret: requireEnv("SUPABASE_JWT_SECRET"),
    revocationReason: (claims) => revocationReason(sql, claims),
    store: syncStore(sql),
    adapters,
    cipher: lazyTokenCipher(requireEnv("QUICKSELL_TOKEN_KEY")),
    fakes,
    batchSize: Number(Deno.env.get("QUICKSELL_SYNC_BATCH") ?? "10"),
    maxMs: Number(Deno.env.get("QUICKSELL_SYNC_MAX_MS") ?? "45000"),
  });
}

if (import.meta.main) Deno.serve(build());
