// Secrets at rest: AES-256-GCM (WebCrypto) under a key only the functions
// hold (an environment variable with 32 random bytes in base64), so the
// database stores only `v1:<iv b64>:<ciphertext+tag b64>`. A dump of the
// database, or a column grant gone wrong, leaks nothing usable.
//
// The row's identity (e.g. `reports.webhooks:<id>`) is bound in as
// additional authenticated data: a ciphertext copied from one row into
// another fails to open, as does any edit of the stored text.
//
// Used for outgoing webhook secrets (REPORTS_WEBHOOK_KEY); the format is the
// one QuickSell's marketplace tokens use, so one box serves both.

import { base64 } from "./base64.ts";

const VERSION = "v1";
const IV_BYTES = 12;
const KEY_BYTES = 32;

export class SecretBoxError extends Error {}

export interface SecretBox {
  seal(plain: string, context: string): Promise<string>;
  open(sealed: string, context: string): Promise<string>;
}

function unb64(text: string, what: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new SecretBoxError(`${what}: not base64`);
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function rawKey(base64Key: string, name: string): Uint8Array<ArrayBuffer> {
  const raw = unb64(base64Key.trim(), name);
  if (raw.byteLength !== KEY_BYTES) throw new SecretBoxError(`${name}: must be ${KEY_BYTES} bytes (got ${raw.byteLength})`);
  return raw;
}

/** A fresh random key, base64 (what the local stack writes into .stack/env). */
export function newSecretBoxKey(): string {
  return base64(crypto.getRandomValues(new Uint8Array(KEY_BYTES)));
}

/** Is this text shaped like something seal() wrote? (No key needed; says nothing about which key.) */
export function isSealed(text: string): boolean {
  return /^v1:[A-Za-z0-9+/]+={0,2}:[A-Za-z0-9+/]+={0,2}$/.test(text);
}

export async function importSecretBoxKey(base64Key: string, name = "key"): Promise<CryptoKey> {
  return await crypto.subtle.importKey("raw", rawKey(base64Key, name), { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
}

export function secretBoxWith(key: CryptoKey): SecretBox {
  const enc = new TextEncoder();
  return {
    async seal(plain, context) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const ct = new Uint8Array(
        await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: enc.encode(context) }, key, enc.encode(plain)),
      );
      return `${VERSION}:${base64(iv)}:${base64(ct)}`;
    },
    async open(sealed, context) {
      const parts = sealed.split(":");
      if (parts.length !== 3 || parts[0] !== VERSION) throw new SecretBoxError("sealed secret: unknown format (want v1:<iv>:<ct>)");
      const iv = unb64(parts[1], "sealed secret");
      if (iv.byteLength !== IV_BYTES) throw new SecretBoxError("sealed secret: bad iv");
      try {
        const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: enc.encode(context) }, key, unb64(parts[2], "sealed secret"));
        return new TextDecoder().decode(plain);
      } catch {
        // GCM authentication failed: another key, another row, or an edited ciphertext.
        throw new SecretBoxError("sealed secret: does not open under this key (wrong key, another row, or tampered)");
      }
    },
  };
}

/**
 * For build(), which must return its handler at once: the key's shape is
 * checked now (a wrong key fails the start, naming the variable), the
 * WebCrypto import happens on first use.
 */
export function secretBox(base64Key: string, name = "key"): SecretBox {
  rawKey(base64Key, name);
  let box: Promise<SecretBox> | null = null;
  const get = () => (box ??= importSecretBoxKey(base64Key, name).then(secretBoxWith));
  return {
    seal: async (plain, context) => (await get()).seal(plain, context),
    open: async (sealed, context) => (await get()).open(sealed, context),
  };
}

/** The box for the key in environment variable `name`; a missing or malformed key is refused by name. */
export function secretBoxFromEnv(name: string, get: (name: string) => string | undefined = (n) => Deno.env.get(n)): SecretBox {
  const key = get(name);
  if (!key) throw new SecretBoxError(`missing environment variable ${name} (base64 of ${KEY_BYTES} random bytes)`);
  return secretBox(key, name);
}
