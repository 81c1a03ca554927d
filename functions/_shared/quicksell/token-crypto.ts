// Marketplace tokens at rest: AES-256-GCM (WebCrypto) under a key only the
// functions hold (QUICKSELL_TOKEN_KEY, 32 random bytes in base64), so the
// database only ever stores `v1:<iv b64>:<ciphertext+tag b64>`. A dump of the
// database, or a column grant gone wrong, leaks nothing usable.
//
// The row's identity (account id + which token) is bound in as additional
// authenticated data: a ciphertext copied from one row or column into
// another fails to decrypt, as does any edit of the stored text.

const VERSION = "v1";
const IV_BYTES = 12;

export class TokenCryptoError extends Error {}

export interface TokenCipher {
  encrypt(plain: string, context: string): Promise<string>;
  decrypt(stored: string, context: string): Promise<string>;
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
function unb64(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new TokenCryptoError("token ciphertext: not base64");
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** Reads the key (base64 of exactly 32 bytes); anything else is refused at start, not at first use. */
export async function importTokenKey(base64Key: string): Promise<CryptoKey> {
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = unb64(base64Key.trim());
  } catch {
    throw new TokenCryptoError("QUICKSELL_TOKEN_KEY: not base64");
  }
  if (raw.byteLength !== 32) throw new TokenCryptoError(`QUICKSELL_TOKEN_KEY: must be 32 bytes (got ${raw.byteLength})`);
  return await crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
}

/** A fresh random key, base64 (what the local stack writes into .stack/env). */
export function newTokenKey(): string {
  return b64(crypto.getRandomValues(new Uint8Array(32)));
}

export function tokenCipher(key: CryptoKey): TokenCipher {
  const enc = new TextEncoder();
  return {
    async encrypt(plain, context) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const ct = new Uint8Array(
        await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: enc.encode(context) }, key, enc.encode(plain)),
      );
      return `${VERSION}:${b64(iv)}:${b64(ct)}`;
    },
    async decrypt(stored, context) {
      const parts = stored.split(":");
      if (parts.length !== 3 || parts[0] !== VERSION) throw new TokenCryptoError("token ciphertext: unknown format (want v1:<iv>:<ct>)");
      const iv = unb64(parts[1]);
      if (iv.byteLength !== IV_BYTES) throw new TokenCryptoError("token ciphertext: bad iv");
      try {
        const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: enc.encode(context) }, key, unb64(parts[2]));
        return new TextDecoder().decode(plain);
      } catch {
        // GCM authentication failed: another key, another row, or an edited ciphertext.
        throw new TokenCryptoError("token ciphertext: does not decrypt under this key (wrong key or tampered)");
      }
    },
  };
}

export async function tokenCipherFromEnv(get: (name: string) => string | undefined = (n) => Deno.env.get(n)): Promise<TokenCipher> {
  const key = get("QUICKSELL_TOKEN_KEY");
  if (!key) throw new TokenCryptoError("missing environment variable QUICKSELL_TOKEN_KEY (base64 of 32 random bytes)");
  return tokenCipher(await importTokenKey(key));
}

/**
 * For build(), which must return its handler at once: the key's shape is
 * checked now (a wrong key fails the start), the WebCrypto import on first use.
 */
export function lazyTokenCipher(base64Key: string): TokenCipher {
  const raw = unb64(base64Key.trim());
  if (raw.byteLength !== 32) throw new TokenCryptoError(`QUICKSELL_TOKEN_KEY: must be 32 bytes (got ${raw.byteLength})`);
  let cipher: Promise<TokenCipher> | null = null;
  const get = () => (cipher ??= importTokenKey(base64Key).then(tokenCipher));
  return {
    encrypt: async (plain, context) => (await get()).encrypt(plain, context),
    decrypt: async (stored, context) => (await get()).decrypt(stored, context),
  };
}
