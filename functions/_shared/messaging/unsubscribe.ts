// Unsubscribe tokens and headers for scheduled mail. A token is
// `<account id>.<base64url(address)>.<base64url(HMAC-SHA256)>` over both,
// keyed by REPORTS_UNSUBSCRIBE_KEY: whoever holds one can unsubscribe that
// address from that account's mail and nothing else; changing either part
// (another address, another account) breaks the MAC. Tokens do not expire:
// an unsubscribe link in an old email must still work (RFC 8058).
import { createHmac, timingSafeEqual } from "node:crypto";
import { base64Url } from "../base64.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_TOKEN = 700;
const MAX_EMAIL = 320;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();


function fromB64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

function mac(key: string, accountId: string, email: string): Uint8Array {
  return createHmac("sha256", key).update(`domus-reports-unsubscribe:v1:${accountId}:${email}`).digest();
}

export function assertKey(key: string | undefined): string {
  if (!key || key.length < 32) throw new Error("REPORTS_UNSUBSCRIBE_KEY: missing or shorter than 32 characters");
  return key;
}

export function signUnsubscribeToken(key: string, accountId: string, email: string): string {
  const id = accountId.toLowerCase();
  if (!UUID.test(id)) throw new Error("accountId: not a uuid");
  const address = normalizeEmail(email);
  return `${id}.${base64Url(new TextEncoder().encode(address))}.${base64Url(mac(assertKey(key), id, address))}`;
}

/** The account and address a genuine token names; null for anything forged, tampered or malformed. */
export function verifyUnsubscribeToken(key: string, token: string | null | undefined): { accountId: string; email: string } | null {
  if (!token || token.length > MAX_TOKEN) return null;
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [accountId, encodedEmail, encodedMac] = parts;
  if (!UUID.test(accountId)) return null;
  const emailBytes = fromB64url(encodedEmail);
  const given = fromB64url(encodedMac);
  if (!emailBytes || !given || given.length !== 32) return null;
  let email: string;
  try {
    email = new TextDecoder("utf-8", { fatal: true }).decode(emailBytes);
  } catch {
    return null;
  }
  if (email.length === 0 || email.length > MAX_EMAIL || email !== normalizeEmail(email) || !email.includes("@")) return null;
  const expected = mac(assertKey(key), accountId, email);
  if (!timingSafeEqual(expected, given)) return null;
  return { accountId, email };
}

/** https://<project>/functions/v1/reports-unsubscribe?t=<token> */
export function unsubscribeUrl(functionsUrl: string, token: string): string {
  return `${functionsUrl.replace(/\/$/, "")}/reports-unsubscribe?t=${encodeURIComponent(token)}`;
}

/** RFC 2369 List-Unsubscribe with RFC 8058 one-click. */
export function unsubscribeHeaders(url: string): Record<string, string> {
  return {
    "List-Unsubscribe": `<${url}>`,
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
  };
}
