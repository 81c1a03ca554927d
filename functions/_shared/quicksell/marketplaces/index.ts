// Which adapter talks to what: the live API when its credentials are set,
// else that marketplace's local fake (reported as mode "local"). The local
// stack serves the fakes inside the marketplace-sync function itself, at
// <SUPABASE_URL>/functions/v1/marketplace-sync/_fake/{ebay,etsy}/..., so no
// extra port or process is needed.
import { type EbayConfig, ebayAdapter } from "./ebay.ts";
import { type EtsyConfig, etsyAdapter } from "./etsy.ts";
import { EBAY_FAKE_CLIENT } from "./fake-ebay.ts";
import { ETSY_FAKE_KEYSTRING } from "./fake-etsy.ts";
import { localAdapter } from "./local.ts";
import type { AdapterMode, MarketplaceAdapter, MarketplaceName } from "./types.ts";

export type AdapterRegistry = (name: MarketplaceName) => MarketplaceAdapter;

/** eBay pointed at a fake served at `base` (tests, the local stack). */
export function ebayLocalConfig(base: string, extra: Partial<EbayConfig> = {}): EbayConfig {
  return {
    mode: "local",
    ...EBAY_FAKE_CLIENT,
    ruName: "QuickSell-local-RuName",
    apiBase: base,
    identityBase: base,
    authBase: base,
    webBase: base,
    marketplaceId: "EBAY_US",
    merchantLocationKey: "quicksell-local-warehouse",
    policies: { fulfillmentPolicyId: "6000000001", paymentPolicyId: "6000000002", returnPolicyId: "6000000003" },
    categoryId: "99",
    ...extra,
  };
}

export function etsyLocalConfig(base: string, extra: Partial<EtsyConfig> = {}): EtsyConfig {
  return {
    mode: "local",
    apiKey: ETSY_FAKE_KEYSTRING,
    apiBase: base,
    authBase: base,
    redirectUri: "http://127.0.0.1/quicksell/etsy/callback",
    taxonomyId: 1,
    ...extra,
  };
}

export interface RegistryOptions {
  /** Where the fakes are served: <base>/ebay and <base>/etsy. */
  fakeBase: string;
  listingUrl?: (sku: string) => string;
  fetch?: typeof fetch;
  now?: () => number;
}

export function adaptersFromEnv(get: (name: string) => string | undefined, o: RegistryOptions): AdapterRegistry & { modes: Record<MarketplaceName, AdapterMode> } {
  const common = { fetch: o.fetch, now: o.now };
  const ebayLive = ["EBAY_CLIENT_ID", "EBAY_CLIENT_SECRET", "EBAY_RU_NAME"].every((k) => get(k));
  const ebay = ebayAdapter(
    ebayLive
      ? {
        mode: "live",
        clientId: get("EBAY_CLIENT_ID")!,
        clientSecret: get("EBAY_CLIENT_SECRET")!,
        ruName: get("EBAY_RU_NAME")!,
        apiBase: "https://api.ebay.com",
        identityBase: "https://apiz.ebay.com",
        authBase: "https://auth.ebay.com",
        webBase: "https://www.ebay.com",
        marketplaceId: get("EBAY_MARKETPLACE_ID") ?? "EBAY_US",
        merchantLocationKey: get("EBAY_MERCHANT_LOCATION_KEY") ?? "",
        policies: {
          fulfillmentPolicyId: get("EBAY_FULFILLMENT_POLICY_ID") ?? "",
          paymentPolicyId: get("EBAY_PAYMENT_POLICY_ID") ?? "",
          returnPolicyId: get("EBAY_RETURN_POLICY_ID") ?? "",
        },
        categoryId: get("EBAY_CATEGORY_ID") ?? "99",
        ...common,
      }
      : ebayLocalConfig(`${o.fakeBase}/ebay`, common),
  );
  const etsyLive = ["ETSY_API_KEY", "ETSY_REDIRECT_URI"].every((k) => get(k));
  const etsy = etsyAdapter(
    etsyLive
      ? {
        mode: "live",
        apiKey: get("ETSY_API_KEY")!,
        apiBase: "https://openapi.etsy.com",
        authBase: "https://www.etsy.com",
        redirectUri: get("ETSY_REDIRECT_URI")!,
        taxonomyId: Number(get("ETSY_TAXONOMY_ID") ?? "1"),
        ...common,
      }
      : etsyLocalConfig(`${o.fakeBase}/etsy`, common),
  );
  const local = localAdapter({ listingUrl: o.listingUrl });
  const all = { ebay, etsy, local } as Record<MarketplaceName, MarketplaceAdapter>;
  const registry = ((name: MarketplaceName) => all[name]) as AdapterRegistry & { modes: Record<MarketplaceName, AdapterMode> };
  registry.modes = { ebay: ebay.mode, etsy: etsy.mode, local: "local" };
  return registry;
}
