// A seller's tokens for one marketplace call sequence: hands out a valid
// access token, refreshing it REFRESH_SKEW_MS before token_expires_at (or at
// once when the marketplace answered 401), one refresh at a time, and hands
// every new token set to `persist` (which encrypts it into the database)
// before using it, so a crash never loses a rotated refresh token.
import { type MarketplaceAdapter, MarketplaceError, REFRESH_SKEW_MS, type Session, type TokenSet } from "./types.ts";

export interface TokenSessionOptions {
  adapter: Pick<MarketplaceAdapter, "name" | "refresh">;
  account: Session["account"];
  tokens: TokenSet;
  now?: () => number;
  persist: (tokens: TokenSet) => Promise<void>;
}

export interface TokenSession extends Session {
  readonly refreshes: number;
  readonly tokens: TokenSet;
}

export function tokenSession(o: TokenSessionOptions): TokenSession {
  const now = o.now ?? Date.now;
  let tokens = o.tokens;
  let refreshes = 0;
  let inFlight: Promise<string> | null = null;

  const refresh = async (): Promise<string> => {
    const rt = tokens.refreshToken;
    if (!rt) throw new MarketplaceError(o.adapter.name, "auth", "access token expired and no refresh token is stored: reconnect the account");
    if (tokens.refreshExpiresAt && tokens.refreshExpiresAt.getTime() <= now()) {
      throw new MarketplaceError(o.adapter.name, "auth", "refresh token expired: reconnect the account");
    }
    const next = await o.adapter.refresh(rt);
    // eBay keeps the refresh token (none in the answer); Etsy rotates it.
    const merged: TokenSet = {
      accessToken: next.accessToken,
      refreshToken: next.refreshToken ?? rt,
      expiresAt: next.expiresAt,
      refreshExpiresAt: next.refreshToken ? next.refreshExpiresAt : tokens.refreshExpiresAt,
    };
    await o.persist(merged);
    tokens = merged;
    refreshes++;
    return merged.accessToken;
  };

  return {
    account: o.account,
    get refreshes() {
      return refreshes;
    },
    get tokens() {
      return tokens;
    },
    accessToken(opts = {}) {
      const due = tokens.expiresAt.getTime() - REFRESH_SKEW_MS <= now();
      if (!opts.forceRefresh && !due) return Promise.resolve(tokens.accessToken);
      inFlight ??= refresh().finally(() => (inFlight = null));
      return inFlight;
    },
  };
}

/**
 * Runs one authorized request; a 401 means the token died early (revoked,
 * clock skew): refresh once and repeat. A second 401 is the seller's to fix.
 */
export async function withAuth(session: Session, send: (token: string) => Promise<Response>): Promise<Response> {
  const first = await send(await session.accessToken());
  if (first.status !== 401) return first;
  await first.body?.cancel();
  return await send(await session.accessToken({ forceRefresh: true }));
}

/** Seconds (or an HTTP date) from Retry-After, in ms; null when absent or unreadable. */
export function retryAfterMs(res: Response, now = Date.now()): number | null {
  const v = res.headers.get("retry-after");
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** fetch that turns a network failure into a retryable MarketplaceError. */
export async function send(fetchFn: typeof fetch, name: MarketplaceAdapter["name"], url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetchFn(url, { ...init, signal: init.signal ?? AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new MarketplaceError(name, "unavailable", `network error: ${(error as Error).message}`);
  }
}
