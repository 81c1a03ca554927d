// HS256 verification of Supabase access tokens with WebCrypto, so the local
// gateway and the functions check tokens exactly alike.
export interface Claims {
  sub?: string;
  role?: string;
  email?: string;
  session_id?: string;
  exp?: number;
  iat?: number;
  aud?: string | string[];
  [key: string]: unknown;
}

const encoder = new TextEncoder();

function base64UrlDecode(segment: string): Uint8Array<ArrayBuffer> {
  const padded = segment.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(segment.length / 4) * 4, "=");
  const binary = atob(padded);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export class JwtError extends Error {}

export async function verifyJwt(token: string, secret: string, nowSeconds = Date.now() / 1000): Promise<Claims> {
  const parts = token.split(".");
  if (parts.length !== 3) throw new JwtError("malformed token");
  const [headerB64, payloadB64, signatureB64] = parts;
  let header: { alg?: string };
  let claims: Claims;
  try {
    header = JSON.parse(new TextDecoder().decode(base64UrlDecode(headerB64)));
    claims = JSON.parse(new TextDecoder().decode(base64UrlDecode(payloadB64)));
  } catch {
    throw new JwtError("malformed token");
  }
  // `null` or `1` is valid JSON: without this, reading .alg or .exp threw a
  // TypeError, which a caller not expecting it answered 500.
  const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(header) || !isObject(claims)) throw new JwtError("malformed token");
  if (header.alg !== "HS256") throw new JwtError(`unsupported algorithm ${header.alg}`);
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "verify",
  ]);
  const valid = await crypto.subtle.verify(
    "HMAC",
    key,
    base64UrlDecode(signatureB64),
    encoder.encode(`${headerB64}.${payloadB64}`),
  );
  if (!valid) throw new JwtError("invalid signature");
  if (typeof claims.exp === "number" && claims.exp < nowSeconds) throw new JwtError("token expired");
  return claims;
}

export function bearerToken(req: Request): string | null {
  const header = req.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1] : null;
}
