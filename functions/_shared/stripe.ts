// Stripe for functions: the SDK instance, the webhook signing secret, the
// local development secret (checkout's local mode signs events with it and
// the webhook accepts them), and money conversion between Stripe's minor
// units and our numeric amounts.
import Stripe from "stripe";

export { Stripe };

/**
 * Signing secret used when STRIPE_WEBHOOK_SECRET is unset (local stack and
 * tests). It is public (it is in this file), so it is never accepted when a
 * live Stripe key is configured.
 */
export const LOCAL_STRIPE_WEBHOOK_SECRET = "whsec_domus_local_development_secret";

/** SDK key used when STRIPE_SECRET_KEY is unset; webhook verification needs no network. */
const DUMMY_SECRET_KEY = "sk_test_domus_local_dummy_key";

/** A Stripe client using fetch (works in Deno and the edge runtime). */
export function createStripe(secretKey?: string | null): Stripe {
  return new Stripe(secretKey || DUMMY_SECRET_KEY, { httpClient: Stripe.createFetchHttpClient() });
}

/** Web Crypto provider for webhook signatures (the edge runtime has no synchronous HMAC). */
export const cryptoProvider = Stripe.createSubtleCryptoProvider();

/**
 * True on Supabase's hosted edge runtime, which sets SB_REGION and
 * DENO_DEPLOYMENT_ID for every function (docs: Functions → Environment
 * Variables); neither the local gateway nor `supabase functions serve` does.
 */
export function onHostedSupabase(env: (name: string) => string | undefined = (n) => Deno.env.get(n)): boolean {
  return !!(env("SB_REGION") || env("DENO_DEPLOYMENT_ID"));
}

/**
 * The webhook signing secret from the environment. Without
 * STRIPE_WEBHOOK_SECRET it falls back to LOCAL_STRIPE_WEBHOOK_SECRET, except
 * with a live key or on hosted Supabase, where accepting a public secret
 * would let anyone forge payments (a test key does not make a deployment
 * safe to forge into): that is a configuration error.
 */
export function stripeWebhookSecret(env: (name: string) => string | undefined = (n) => Deno.env.get(n)): string {
  const secret = env("STRIPE_WEBHOOK_SECRET");
  if (secret) return secret;
  const key = env("STRIPE_SECRET_KEY") ?? "";
  if (/^(sk|rk)_live_/.test(key)) {
    throw new Error("missing environment variable STRIPE_WEBHOOK_SECRET (required with a live STRIPE_SECRET_KEY)");
  }
  if (onHostedSupabase(env)) {
    throw new Error("missing environment variable STRIPE_WEBHOOK_SECRET (required on hosted Supabase: the local secret is public)");
  }
  if (key) console.warn("STRIPE_WEBHOOK_SECRET is unset: accepting events signed with the local development secret");
  return LOCAL_STRIPE_WEBHOOK_SECRET;
}

/**
 * A `stripe-signature` header for a payload, as Stripe would send it. Async:
 * the Web Crypto provider has no synchronous HMAC (the SDK's synchronous
 * generateTestHeaderString throws under Deno's worker build).
 */
export async function signLocalEvent(
  payload: string,
  secret: string = LOCAL_STRIPE_WEBHOOK_SECRET,
  timestamp?: number,
): Promise<string> {
  return await createStripe().webhooks.generateTestHeaderStringAsync({ payload, secret, timestamp, cryptoProvider });
}

// Stripe's zero- and three-decimal currencies (https://docs.stripe.com/currencies).
const ZERO_DECIMAL = new Set([
  "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
]);
const THREE_DECIMAL = new Set(["BHD", "JOD", "KWD", "OMR", "TND"]);

export function currencyExponent(currency: string): number {
  const c = currency.toUpperCase();
  return ZERO_DECIMAL.has(c) ? 0 : THREE_DECIMAL.has(c) ? 3 : 2;
}

/** Stripe minor units (an integer) to a decimal string in major units: (1999, 'usd') → "19.99", (500, 'jpy') → "500". */
export function fromMinorUnits(amount: number, currency: string): string {
  if (!Number.isSafeInteger(amount)) throw new Error(`amount: ${amount} is not a whole number of minor units`);
  const exponent = currencyExponent(currency);
  const digits = Math.abs(amount).toString().padStart(exponent + 1, "0");
  const sign = amount < 0 ? "-" : "";
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** A decimal string in major units to Stripe minor units: ("19.99", 'usd') → 1999. */
export function toMinorUnits(amount: string | number, currency: string): number {
  const exponent = currencyExponent(currency);
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(amount).trim());
  if (!match) throw new Error(`amount: "${amount}" is not a decimal number`);
  const [, sign, whole, fraction = ""] = match;
  if (fraction.replace(/0+$/, "").length > exponent) {
    throw new Error(`amount: "${amount}" has more decimals than ${currency.toUpperCase()} allows`);
  }
  const minor = Number(whole + fraction.padEnd(exponent, "0").slice(0, exponent));
  return sign ? -minor : minor;
}
