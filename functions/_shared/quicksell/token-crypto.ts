// Marketplace tokens at rest, sealed by the shared secret box
// (functions/_shared/secret-box.ts: AES-256-GCM, `v1:<iv b64>:<ct+tag b64>`)
// under QUICKSELL_TOKEN_KEY, a key only the functions hold. This module only
// names QuickSell's key and keeps the cross-posting code's vocabulary
// (encrypt / decrypt); the format and the checks are the box's.
//
// The row's identity (account id + which token) is the additional
// authenticated data: a ciphertext copied from one row or column into
// another fails to decrypt, as does any edit of the stored text.
import { importSecretBoxKey, newSecretBoxKey, type SecretBox, secretBox, SecretBoxError, secretBoxWith } from "../secret-box.ts";

const KEY_NAME = "QUICKSELL_TOKEN_KEY";

/** The box's error: a bad key, a malformed ciphertext, or one that does not open. */
export { SecretBoxError as TokenCryptoError };

export interface TokenCipher {
  encrypt(plain: string, context: string): Promise<string>;
  decrypt(stored: string, context: string): Promise<string>;
}

const cipherOf = (box: SecretBox): TokenCipher => ({
  encrypt: (plain, context) => box.seal(plain, context),
  decrypt: (stored, context) => box.open(stored, context),
});

/** Reads the key (base64 of exactly 32 bytes); anything else is refused at start, not at first use. */
export function importTokenKey(base64Key: string): Promise<CryptoKey> {
  return importSecretBoxKey(base64Key, KEY_NAME);
}

/** A fresh random key, base64 (what the local stack writes into .stack/env). */
export const newTokenKey = newSecretBoxKey;

export function tokenCipher(key: CryptoKey): TokenCipher {
  return cipherOf(secretBoxWith(key));
}

export async function tokenCipherFromEnv(get: (name: string) => string | undefined = (n) => Deno.env.get(n)): Promise<TokenCipher> {
  const key = get(KEY_NAME);
  if (!key) throw new SecretBoxError(`missing environment variable ${KEY_NAME} (base64 of 32 random bytes)`);
  return tokenCipher(await importTokenKey(key));
}

/** For build(): the key's shape is checked now, the WebCrypto import on first use. */
export function lazyTokenCipher(base64Key: string): TokenCipher {
  return cipherOf(secretBox(base64Key, KEY_NAME));
}
