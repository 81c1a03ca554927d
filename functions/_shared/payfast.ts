// PayFast: signatures, the checkout form, and the checks an ITN (Instant
// Transaction Notification) must pass. Used by payfast-itn and checkout.
//
// The algorithms follow PayFast's developer documentation and its PHP SDK
// (Payfast/payfast-php-sdk, lib/Auth.php and
// lib/PaymentIntegrations/Notification.php):
//
// * Encoding is PHP's urlencode(): every byte of the UTF-8 value except
//   A-Z a-z 0-9 - _ . becomes %XX with upper-case hex, and a space becomes +.
// * Checkout form signature (generateSignature): the form fields in PayFast's
//   documented attribute order, SKIPPING empty values, each
//   `key=urlencode(trim(value))`, joined by &, then
//   `&passphrase=urlencode(trim(passphrase))` when a passphrase is set; MD5,
//   lower-case hex.
// * ITN signature (pfValidSignature): the posted fields IN THE ORDER RECEIVED,
//   up to (not including) `signature`, KEEPING empty values (PayFast posts
//   e.g. `custom_str4=` and signs it), each `key=urlencode(value)`, then
//   `&passphrase=urlencode(passphrase)` when set; MD5. Values are trimmed as
//   in the documentation's Node.js sample (PayFast never posts padded values;
//   the PHP sample's stripslashes() only undoes PHP magic quotes and is not
//   reproduced).
// * Server confirmation (pfValidServerConfirmation): POST the same parameter
//   string WITHOUT the passphrase to https://<host>/eng/query/validate; the
//   answer is the body "VALID" (or "INVALID").
// * Source check (pfValidIP): the request must come from an address that
//   www.payfast.co.za, sandbox.payfast.co.za, w1w.payfast.co.za or
//   w2w.payfast.co.za resolves to.
import { createHash } from "node:crypto";

export type Fields = Array<[string, string]>;
export type PayfastMode = "local" | "sandbox" | "live";

/** PayFast's public sandbox merchant, used (with our own passphrase) when nothing is configured. */
export const LOCAL_PAYFAST = {
  merchantId: "10000100",
  merchantKey: "46f0cd694581a",
  passphrase: "domus-local-passphrase",
} as const;

export const PAYFAST_HOSTS = ["www.payfast.co.za", "sandbox.payfast.co.za", "w1w.payfast.co.za", "w2w.payfast.co.za"] as const;

/** Where the buyer's browser posts the checkout form. Local mode never leaves the machine; it uses the sandbox URL for display. */
export const PAYFAST_PROCESS_URL: Record<PayfastMode, string> = {
  live: "https://www.payfast.co.za/eng/process",
  sandbox: "https://sandbox.payfast.co.za/eng/process",
  local: "https://sandbox.payfast.co.za/eng/process",
};

/** The host that answers server confirmations (/eng/query/validate) in each mode. */
export const PAYFAST_VALIDATE_HOST: Record<Exclude<PayfastMode, "local">, string> = {
  live: "www.payfast.co.za",
  sandbox: "sandbox.payfast.co.za",
};

// ------------------------------------------------------------------ signatures

const UNRESERVED = /[A-Za-z0-9\-_.]/;

/** PHP urlencode(): UTF-8 bytes, upper-case %XX, space as +, only A-Z a-z 0-9 - _ . left as they are. */
export function pfEncode(value: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(value)) {
    const ch = String.fromCharCode(byte);
    if (byte < 0x80 && UNRESERVED.test(ch)) out += ch;
    else if (byte === 0x20) out += "+";
    else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

export function md5Hex(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}

/** The ITN parameter string: posted fields in order up to `signature`, empty values kept, no passphrase. */
export function itnParamString(fields: Fields): string {
  const parts: string[] = [];
  for (const [key, value] of fields) {
    if (key === "signature") break;
    parts.push(`${key}=${pfEncode(value.trim())}`);
  }
  return parts.join("&");
}

function withPassphrase(paramString: string, passphrase?: string | null): string {
  const p = passphrase?.trim();
  return p ? `${paramString}&passphrase=${pfEncode(p)}` : paramString;
}

/** Signature of a received ITN (fields in the order posted; `signature` and anything after it excluded). */
export function signatureOf(fields: Fields, passphrase?: string | null): string {
  return md5Hex(withPassphrase(itnParamString(fields), passphrase));
}

/** Signature of a checkout form (fields in PayFast's attribute order; empty values skipped). */
export function formSignature(fields: Fields, passphrase?: string | null): string {
  const parts = fields
    .filter(([key, value]) => key !== "signature" && value.trim() !== "")
    .map(([key, value]) => `${key}=${pfEncode(value.trim())}`);
  return md5Hex(withPassphrase(parts.join("&"), passphrase));
}

/** Compares two hex signatures without an early exit. */
export function sameSignature(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x.charCodeAt(i) || 0) ^ (y.charCodeAt(i) || 0);
  return diff === 0;
}

/** True when the posted `signature` matches the fields (and passphrase). */
export function verifyItnSignature(fields: Fields, passphrase?: string | null): boolean {
  const posted = fields.find(([key]) => key === "signature")?.[1];
  return !!posted && sameSignature(posted.trim(), signatureOf(fields, passphrase));
}

// ------------------------------------------------------------------ ITN messages

export interface ItnInput {
  /** m_payment_id: our order id (payments.checkout_ref). */
  mPaymentId: string;
  pfPaymentId: string;
  paymentStatus: "COMPLETE" | "FAILED" | "PENDING" | "CANCELLED" | string;
  amountGross: string;
  /** PayFast's fee, negative, as it reports it. */
  amountFee?: string;
  itemName: string;
  accountId: string;
  purpose?: string;
  itemCode?: string;
  email?: string;
  nameFirst?: string;
  nameLast?: string;
  merchantId: string;
  /** Subscriptions: the token and the billing date. */
  token?: string;
  billingDate?: string;
}

/**
 * An ITN as PayFast posts it: its documented fields in PayFast's order,
 * signed. Used by checkout's local mode and by tests, which must produce
 * exactly what PayFast would.
 */
export function itnFields(input: ItnInput, passphrase?: string | null): Fields {
  const fee = input.amountFee ?? (-Math.round(Number(input.amountGross) * 2.3) / 100).toFixed(2);
  const fields: Fields = [
    ["m_payment_id", input.mPaymentId],
    ["pf_payment_id", input.pfPaymentId],
    ["payment_status", input.paymentStatus],
    ["item_name", input.itemName],
    ["item_description", ""],
    ["amount_gross", input.amountGross],
    ["amount_fee", fee],
    ["amount_net", (Number(input.amountGross) + Number(fee)).toFixed(2)],
    ["custom_str1", input.accountId],
    ["custom_str2", input.purpose ?? ""],
    ["custom_str3", input.itemCode ?? ""],
    ["custom_str4", ""],
    ["custom_str5", ""],
    ["custom_int1", ""],
    ["custom_int2", ""],
    ["custom_int3", ""],
    ["custom_int4", ""],
    ["custom_int5", ""],
    ["name_first", input.nameFirst ?? ""],
    ["name_last", input.nameLast ?? ""],
    ["email_address", input.email ?? ""],
    ["merchant_id", input.merchantId],
  ];
  if (input.token) fields.push(["token", input.token], ["billing_date", input.billingDate ?? ""]);
  fields.push(["signature", signatureOf(fields, passphrase)]);
  return fields;
}

// ------------------------------------------------------------------ checkout form

export interface CheckoutFormInput {
  merchantId: string;
  merchantKey: string;
  returnUrl: string;
  cancelUrl: string;
  notifyUrl: string;
  /** m_payment_id: our order id (payments.checkout_ref). */
  paymentId: string;
  /** Rand amount, e.g. "149.00" or 149. */
  amount: string | number;
  itemName: string;
  /** custom_str1 */
  accountId: string;
  /** custom_str2 */
  purpose: string;
  /** custom_str3 */
  itemCode: string;
  email?: string | null;
  /** A PayFast subscription: frequency 3 = monthly, 6 = annual; cycles 0 = until cancelled. */
  subscription?: { frequency: 3 | 6; cycles: 0; recurringAmount: string | number } | null;
}

/** Formats a Rand amount with two decimals, as PayFast expects. */
export function formatAmount(amount: string | number): string {
  const text = typeof amount === "number" ? amount.toFixed(2) : amount.trim();
  if (!/^\d+(\.\d{1,2})?$/.test(text)) throw new Error(`amount: "${amount}" is not a Rand amount`);
  return Number(text).toFixed(2);
}

/**
 * The checkout form's fields, in PayFast's documented attribute order
 * (merchant details, customer details, transaction details, custom fields,
 * recurring billing), ending with `signature`.
 */
export function checkoutFormFields(input: CheckoutFormInput, passphrase?: string | null): Fields {
  const fields: Fields = [
    ["merchant_id", input.merchantId],
    ["merchant_key", input.merchantKey],
    ["return_url", input.returnUrl],
    ["cancel_url", input.cancelUrl],
    ["notify_url", input.notifyUrl],
  ];
  if (input.email) fields.push(["email_address", input.email]);
  fields.push(
    ["m_payment_id", input.paymentId],
    ["amount", formatAmount(input.amount)],
    ["item_name", input.itemName.slice(0, 100)],
    ["custom_str1", input.accountId],
    ["custom_str2", input.purpose],
    ["custom_str3", input.itemCode],
  );
  if (input.subscription) {
    fields.push(
      ["subscription_type", "1"],
      ["recurring_amount", formatAmount(input.subscription.recurringAmount)],
      ["frequency", String(input.subscription.frequency)],
      ["cycles", String(input.subscription.cycles)],
    );
  }
  const trimmed: Fields = fields.map(([k, v]) => [k, v.trim()]);
  trimmed.push(["signature", formSignature(trimmed, passphrase)]);
  return trimmed;
}

// ------------------------------------------------------------------ source of an ITN

export interface SourceValidator {
  /** Is this address one of PayFast's ITN senders? */
  isPayfastSource(ip: string | null): Promise<boolean>;
}

function normalizeIp(ip: string): string {
  const bare = ip.trim().replace(/^\[|\]$/g, "").toLowerCase();
  return bare.startsWith("::ffff:") && bare.includes(".") ? bare.slice(7) : bare;
}

type Resolver = (host: string, type: "A" | "AAAA") => Promise<string[]>;

/**
 * Resolves PayFast's documented hostnames (A and AAAA) and accepts an address
 * they resolve to. The answer is cached for `ttlMs`; when nothing resolves it
 * refuses (fails closed).
 */
export function payfastSourceValidator(options: { hosts?: readonly string[]; resolve?: Resolver; ttlMs?: number } = {}): SourceValidator {
  const hosts = options.hosts ?? PAYFAST_HOSTS;
  const resolve: Resolver = options.resolve ?? ((host, type) => Deno.resolveDns(host, type));
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  let cache: { at: number; ips: Set<string> } | null = null;

  async function validIps(): Promise<Set<string>> {
    if (cache && Date.now() - cache.at < ttlMs && cache.ips.size > 0) return cache.ips;
    const lookups = hosts.flatMap((host) => [resolve(host, "A"), resolve(host, "AAAA")]);
    const ips = new Set<string>();
    for (const result of await Promise.allSettled(lookups)) {
      if (result.status === "fulfilled") for (const ip of result.value) ips.add(normalizeIp(ip));
    }
    cache = { at: Date.now(), ips };
    return ips;
  }

  return {
    async isPayfastSource(ip) {
      if (!ip) return false;
      return (await validIps()).has(normalizeIp(ip));
    },
  };
}

/** Local mode only: accepts loopback senders (the local checkout posting to our own ITN endpoint). */
export const localSourceValidator: SourceValidator = {
  isPayfastSource(ip) {
    if (!ip) return Promise.resolve(false);
    const a = normalizeIp(ip);
    return Promise.resolve(a === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a));
  },
};

// ------------------------------------------------------------------ server confirmation

export interface ServerConfirmation {
  /** Asks PayFast whether it sent exactly these fields. */
  confirm(fields: Fields): Promise<boolean>;
}

/** POSTs the ITN parameter string to https://<host>/eng/query/validate; true iff PayFast answers "VALID". */
export function payfastServerConfirmation(host: string, fetchImpl: typeof fetch = fetch, timeoutMs = 15_000): ServerConfirmation {
  return {
    async confirm(fields) {
      const res = await fetchImpl(`https://${host}/eng/query/validate`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: itnParamString(fields),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await res.text()).trim();
      return res.ok && body === "VALID";
    },
  };
}

/**
 * LOCAL MODE ONLY — no PayFast server to ask: "confirms" an ITN by
 * recomputing its signature with the local passphrase.
 */
export function localConfirmation(passphrase: string | null = LOCAL_PAYFAST.passphrase): ServerConfirmation {
  return { confirm: (fields) => Promise.resolve(verifyItnSignature(fields, passphrase)) };
}

// ------------------------------------------------------------------ configuration

export interface PayfastConfig {
  mode: PayfastMode;
  merchantId: string;
  merchantKey: string;
  passphrase: string | null;
  processUrl: string;
}

/**
 * PAYFAST_MODE = local (default) | sandbox | live.
 * local: LOCAL_PAYFAST (env may override), nothing leaves the machine.
 * sandbox: PayFast's sandbox; merchant defaults to the public sandbox merchant.
 * live: PAYFAST_MERCHANT_ID, PAYFAST_MERCHANT_KEY and PAYFAST_PASSPHRASE are required.
 */
export function payfastConfig(env: (name: string) => string | undefined = (n) => Deno.env.get(n)): PayfastConfig {
  const raw = (env("PAYFAST_MODE") ?? "local").trim().toLowerCase() || "local";
  if (raw !== "local" && raw !== "sandbox" && raw !== "live") {
    throw new Error(`PAYFAST_MODE: expected local, sandbox or live, got "${raw}"`);
  }
  const mode = raw as PayfastMode;
  const get = (name: string) => env(name)?.trim() || undefined;
  const need = (name: string) => {
    const value = get(name);
    if (!value) throw new Error(`missing environment variable ${name} (required when PAYFAST_MODE=live)`);
    return value;
  };
  if (mode === "live") {
    return {
      mode,
      merchantId: need("PAYFAST_MERCHANT_ID"),
      merchantKey: need("PAYFAST_MERCHANT_KEY"),
      passphrase: need("PAYFAST_PASSPHRASE"),
      processUrl: PAYFAST_PROCESS_URL.live,
    };
  }
  return {
    mode,
    merchantId: get("PAYFAST_MERCHANT_ID") ?? LOCAL_PAYFAST.merchantId,
    merchantKey: get("PAYFAST_MERCHANT_KEY") ?? LOCAL_PAYFAST.merchantKey,
    passphrase: get("PAYFAST_PASSPHRASE") ?? (mode === "local" ? LOCAL_PAYFAST.passphrase : null),
    processUrl: PAYFAST_PROCESS_URL[mode],
  };
}
