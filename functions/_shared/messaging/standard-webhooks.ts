// Verifying a Standard Webhooks 1.0 signature (what Resend sends, through
// Svix): HMAC-SHA256 over `{id}.{timestamp}.{body}` with the secret's bytes
// (`whsec_` + base64), headers `webhook-id/-timestamp/-signature` or their
// `svix-` twins, a space-separated list of `v1,<base64>` (several during key
// rotation), compared in constant time, the timestamp within 5 minutes.
// Written against the spec, not the library, so the tests can sign with the
// reference implementation (npm:standardwebhooks) and check us against it.
import { createHmac, timingSafeEqual } from "node:crypto";

export const TOLERANCE_SECONDS = 5 * 60;

export class SignatureError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

export function secretBytes(secret: string): Uint8Array {
  const b64 = secret.startsWith("whsec_") ? secret.slice(6) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new Error("RESEND_WEBHOOK_SECRET: not whsec_<base64>");
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  if (bytes.length < 16) throw new Error("RESEND_WEBHOOK_SECRET: shorter than 16 bytes");
  return bytes;
}

export interface SignedHeaders {
  id: string;
  timestamp: number;
}

/** The id and timestamp of a genuine delivery; throws SignatureError naming the header otherwise. */
export function verifyStandardWebhook(secret: Uint8Array, headers: Headers, body: string, nowSeconds: number): SignedHeaders {
  const get = (name: string) => headers.get(`webhook-${name}`) ?? headers.get(`svix-${name}`);
  const id = get("id");
  const timestamp = get("timestamp");
  const signatures = get("signature");
  if (!id) throw new SignatureError("webhook-id", "header missing");
  if (!timestamp) throw new SignatureError("webhook-timestamp", "header missing");
  if (!signatures) throw new SignatureError("webhook-signature", "header missing");
  if (!/^\d{1,12}$/.test(timestamp)) throw new SignatureError("webhook-timestamp", "not a Unix time in seconds");
  const ts = Number(timestamp);
  if (Math.abs(nowSeconds - ts) > TOLERANCE_SECONDS) throw new SignatureError("webhook-timestamp", "outside the 5-minute tolerance");

  const expected = createHmac("sha256", secret).update(`${id}.${timestamp}.${body}`).digest();
  for (const entry of signatures.split(" ")) {
    const [version, sig] = entry.split(",", 2);
    if (version !== "v1" || !sig) continue;
    let given: Uint8Array;
    try {
      given = Uint8Array.from(atob(sig), (c) => c.charCodeAt(0));
    } catch {
      continue;
    }
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { id, timestamp: ts };
  }
  throw new SignatureError("webhook-signature", "no valid v1 signature");
}
