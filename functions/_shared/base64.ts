// Base64 of bytes, standard (RFC 4648 §4) and URL-safe without padding (§5:
// JWTs, signed URLs, tokens), written once for every function.

export const base64 = (bytes: Uint8Array): string => {
  let binary = "";
  // In chunks: spreading a large array into fromCharCode overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
};

export const base64Url = (bytes: Uint8Array): string => base64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
