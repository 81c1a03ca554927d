// Standard Webhooks 1.0 signing: secrets `whsec_<base64 of 24-64 random
// bytes>`, and `webhook-signature: v1,<base64 HMAC-SHA256 of
// "{id}.{timestamp}.{body}">`, one space-separated entry per secret in use
// (two while a rotated-out secret is still valid).

import { base64 } from "../../base64.ts";

export const SECRET_PREFIX = "whsec_";
export const SECRET_BYTES = 32;

export class WebhookSecretError extends Error {}


export function newWebhookSecret(bytes = SECRET_BYTES): string {
  if (!Number.isInteger(bytes) || bytes < 24 || bytes > 64) throw new WebhookSecretError("secret: 24-64 random bytes");
  return SECRET_PREFIX + base64(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** The raw key bytes of a `whsec_` secret; anything else is refused. */
export function secretBytes(secret: string): Uint8Array<ArrayBuffer> {
  if (!secret.startsWith(SECRET_PREFIX)) throw new WebhookSecretError("secret: must start with whsec_");
  const text = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new WebhookSecretError("secret: not base64");
  const raw = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  if (raw.byteLength < 24 || raw.byteLength > 64) throw new WebhookSecretError("secret: must be 24-64 bytes");
  return raw;
}

async function hmac(secret: string, data: Uint8Array<ArrayBuffer>): Promise<string> {
  const key = await crypto.subtle.importKey("raw", secretBytes(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return base64(new Uint8Array(await crypto.subtle.sign("HMAC", key, data)));
}

/** The signed content: the exact body bytes, after "{id}.{timestamp}.". */
export function signedContent(id: string, timestamp: number, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const head = new TextEncoder().encode(`${id}.${timestamp}.`);
  const out = new Uint8Array(head.byteLength + body.byteLength);
  out.set(head, 0);
  out.set(body, head.byteLength);
  return out;
}

/** The webhook-signature header value for these secrets (newest first). */
export async function signatureHeader(secrets: string[], id: string, timestamp: number, body: Uint8Array): Promise<string> {
  if (secrets.length === 0) throw new WebhookSecretError("secret: none to sign with");
  const content = signedContent(id, timestamp, body);
  const entries = await Promise.all(secrets.map(async (s) => `v1,${await hmac(s, content)}`));
  return entries.join(" ");
}

/** The three Standard Webhooks headers of one attempt. */
export async function webhookHeaders(
  secrets: string[],
  id: string,
  timestamp: number,
  body: Uint8Array,
): Promise<Record<string, string>> {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": await signatureHeader(secrets, id, timestamp, body),
  };
}
