// A signed-in seller connects a marketplace account: the OAuth code from the
// marketplace's consent redirect is exchanged for tokens (with a local fake
// and no code, the fake consents at once), the tokens are encrypted here and
// only their ciphertext reaches the database (one account per seller and
// marketplace; connecting again replaces the tokens).
import { connectInput, type ConnectResponse } from "@domus/contracts/quicksell-sync.ts";
import { requireUser } from "../_shared/auth.ts";
import { HttpError, json, parseBody } from "../_shared/http.ts";
import { pgCall } from "../_shared/pg-errors.ts";
import { MarketplaceError } from "../_shared/quicksell/marketplaces/types.ts";
import { tokenContext } from "../_shared/quicksell/sync.ts";
import type { MarketplaceSyncDeps } from "./deps.ts";

/** A marketplace's refusal as the caller's answer. */
export function httpErrorFromMarketplace(error: MarketplaceError): HttpError {
  if (error.kind === "auth" || error.kind === "invalid") return new HttpError(400, "invalid_request", `code: ${error.message}`, "code");
  if (error.kind === "rate_limited") return new HttpError(429, "rate_limited", `${error.message}; retry in ${Math.ceil((error.retryAfterMs ?? 1000) / 1000)} s`);
  return new HttpError(503, "unavailable", `${error.message}; retry later`);
}

export async function connectAccount(deps: MarketplaceSyncDeps, req: Request): Promise<Response> {
  const caller = await requireUser(req, deps);
  const body = await parseBody(req, connectInput);
  const adapter = deps.adapters(body.marketplace);
  let code = body.code;
  if (!code) {
    if (adapter.mode !== "local" || !adapter.simulateConsent) {
      throw new HttpError(400, "invalid_request", "code: required (the code from the marketplace's consent redirect)", "code");
    }
    code = await adapter.simulateConsent(String(caller.claims.email ?? caller.userId));
  }
  let exchanged;
  try {
    exchanged = await adapter.exchangeCode(code, body.redirectUri ?? "", body.codeVerifier);
  } catch (error) {
    if (error instanceof MarketplaceError) throw httpErrorFromMarketplace(error);
    throw error;
  }
  const { tokens, account } = exchanged;
  const local = adapter.name === "local";
  const ctx = (c: "access_token" | "refresh_token") => tokenContext(caller.userId, adapter.name, c);
  const summary = await pgCall(async () =>
    deps.store.connect({
      userId: caller.userId,
      marketplace: adapter.name,
      marketplaceUserId: account.marketplaceUserId,
      accountName: account.accountName,
      sellerRating: account.sellerRating,
      totalSales: account.totalSales,
      accessToken: local ? null : await deps.cipher.encrypt(tokens.accessToken, ctx("access_token")),
      refreshToken: local || !tokens.refreshToken ? null : await deps.cipher.encrypt(tokens.refreshToken, ctx("refresh_token")),
      expiresAt: local ? null : tokens.expiresAt,
      refreshExpiresAt: local ? null : tokens.refreshExpiresAt,
      data: account.extra,
    })
  );
  const response: ConnectResponse = {
    account: {
      id: summary.id,
      marketplace_name: adapter.name,
      marketplace_user_id: summary.marketplace_user_id,
      account_name: summary.account_name,
      is_active: summary.is_active,
      auto_sync_enabled: summary.auto_sync_enabled,
      token_expires_at: summary.token_expires_at,
    },
    mode: adapter.mode,
  };
  console.log(`marketplace-sync: ${caller.userId} connected ${adapter.name} (mode ${adapter.mode})`);
  return json(response, 201);
}
