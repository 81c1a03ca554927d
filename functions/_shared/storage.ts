// Supabase Storage over its REST API, as service_role: the same calls on
// hosted Supabase and on the local stack (whose gateway serves
// /storage/v1 from a directory on disk). Tests use memoryStorage().
//   upload:    POST {SUPABASE_URL}/storage/v1/object/{bucket}/{path}  (x-upsert)
//   download:  GET  {SUPABASE_URL}/storage/v1/object/authenticated/{bucket}/{path}
//   public URL:     {SUPABASE_URL}/storage/v1/object/public/{bucket}/{path}
//   remove:    DELETE {SUPABASE_URL}/storage/v1/object/{bucket}  {"prefixes": [paths]}
//   signed URL: POST {SUPABASE_URL}/storage/v1/object/sign/{bucket}/{path}  {"expiresIn": s}
//               -> {"signedURL": "/object/sign/{bucket}/{path}?token=..."}, a GET
//               anyone holding it may make until it expires (private buckets).
import { base64Url } from "./base64.ts";
import { JwtError, verifyJwt } from "./jwt.ts";

export interface StoredObject {
  bucket: string;
  path: string;
  size: number;
  contentType: string;
  publicUrl: string;
}

export interface Storage {
  upload(bucket: string, path: string, bytes: Uint8Array, contentType: string, options?: { upsert?: boolean }): Promise<StoredObject>;
  /** The object's bytes and type, or null when there is no such object. */
  download(bucket: string, path: string): Promise<{ bytes: Uint8Array; contentType: string } | null>;
  publicUrl(bucket: string, path: string): string;
  /** Deletes the named objects (row and file); resolves to the names that existed. Missing ones are not an error. */
  remove(bucket: string, paths: string[]): Promise<string[]>;
  /** A URL that reads this object without a key until `expiresIn` seconds from now; null when there is no such object. */
  createSignedUrl(bucket: string, path: string, expiresIn: number): Promise<string | null>;
}

/** Signed-URL lifetimes: at least a second, at most a week (Supabase's own cap). */
export function checkExpiresIn(expiresIn: number): number {
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 604_800) {
    throw new StorageError(`expiresIn: whole seconds from 1 to 604800, not ${expiresIn}`, 400);
  }
  return expiresIn;
}

const hmacKey = (secret: string, use: KeyUsage) =>
  crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [use]);

/**
 * The token of a signed URL, as Supabase Storage makes it: an HS256 JWT over
 * {"url": "<bucket>/<path>", iat, exp} with the project's JWT secret.
 */
export async function signObjectToken(secret: string, bucket: string, path: string, expiresIn: number, nowSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
  const enc = (v: unknown) => base64Url(new TextEncoder().encode(JSON.stringify(v)));
  const data = `${enc({ alg: "HS256", typ: "JWT" })}.${enc({ url: `${bucket}/${checkObjectPath(path)}`, iat: nowSeconds, exp: nowSeconds + checkExpiresIn(expiresIn) })}`;
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), new TextEncoder().encode(data)));
  return `${data}.${base64Url(signature)}`;
}

/** Checks a signed URL's token for this object: signature, object and expiry (a token without exp is refused). */
export async function verifyObjectToken(secret: string, token: string, bucket: string, path: string, nowSeconds = Date.now() / 1000): Promise<void> {
  let claims;
  try {
    claims = await verifyJwt(token, secret, nowSeconds);
  } catch (error) {
    throw new StorageError(error instanceof JwtError ? `signed URL: ${error.message}` : "signed URL: invalid token", 400);
  }
  if (typeof claims.exp !== "number") throw new StorageError("signed URL: token has no expiry", 400);
  if (claims.url !== `${bucket}/${path}`) throw new StorageError("signed URL: token is for another object", 400);
}

export class StorageError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

/** Object names: no empty, '.' or '..' segments, no backslashes or control characters. */
export function checkObjectPath(path: string): string {
  const segments = path.split("/");
  if (!path || path.length > 1024 || /[\\\u0000-\u001f]/.test(path) || segments.some((s) => s === "" || s === "." || s === "..")) {
    throw new StorageError(`invalid object name "${path}"`, 400);
  }
  return path;
}

const encodePath = (path: string) => checkObjectPath(path).split("/").map(encodeURIComponent).join("/");

export function supabaseStorage(options: { url: string; serviceRoleKey: string; fetch?: typeof fetch }): Storage {
  const base = `${options.url.replace(/\/$/, "")}/storage/v1`;
  const doFetch = options.fetch ?? fetch;
  const headers = { authorization: `Bearer ${options.serviceRoleKey}`, apikey: options.serviceRoleKey };
  const publicUrl = (bucket: string, path: string) => `${base}/object/public/${encodeURIComponent(bucket)}/${encodePath(path)}`;
  return {
    publicUrl,
    async upload(bucket, path, bytes, contentType, { upsert = false } = {}) {
      const res = await doFetch(`${base}/object/${encodeURIComponent(bucket)}/${encodePath(path)}`, {
        method: "POST",
        headers: { ...headers, "content-type": contentType, "x-upsert": String(upsert), "cache-control": "max-age=3600" },
        body: bytes as unknown as BodyInit,
      });
      if (!res.ok) throw new StorageError(`storage upload ${bucket}/${path}: ${res.status} ${(await res.text()).slice(0, 300)}`, res.status);
      await res.body?.cancel();
      return { bucket, path, size: bytes.byteLength, contentType, publicUrl: publicUrl(bucket, path) };
    },
    async download(bucket, path) {
      const res = await doFetch(`${base}/object/authenticated/${encodeURIComponent(bucket)}/${encodePath(path)}`, { headers });
      if (res.status === 404 || res.status === 400) {
        await res.body?.cancel();
        return null;
      }
      if (!res.ok) throw new StorageError(`storage download ${bucket}/${path}: ${res.status} ${(await res.text()).slice(0, 300)}`, res.status);
      return { bytes: new Uint8Array(await res.arrayBuffer()), contentType: res.headers.get("content-type") ?? "application/octet-stream" };
    },
    async remove(bucket, paths) {
      if (!paths.length) return [];
      paths.forEach(checkObjectPath);
      // The Storage API takes up to 1,000 names per call.
      const removed: string[] = [];
      for (let i = 0; i < paths.length; i += 1000) {
        const res = await doFetch(`${base}/object/${encodeURIComponent(bucket)}`, {
          method: "DELETE",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify({ prefixes: paths.slice(i, i + 1000) }),
        });
        if (!res.ok) throw new StorageError(`storage remove ${bucket}: ${res.status} ${(await res.text()).slice(0, 300)}`, res.status);
        const rows = await res.json() as Array<{ name: string }>;
        removed.push(...rows.map((r) => r.name));
      }
      return removed;
    },
    async createSignedUrl(bucket, path, expiresIn) {
      const res = await doFetch(`${base}/object/sign/${encodeURIComponent(bucket)}/${encodePath(path)}`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ expiresIn: checkExpiresIn(expiresIn) }),
      });
      if (res.status === 404 || res.status === 400) {
        await res.body?.cancel();
        return null;
      }
      if (!res.ok) throw new StorageError(`storage sign ${bucket}/${path}: ${res.status} ${(await res.text()).slice(0, 300)}`, res.status);
      const body = await res.json() as { signedURL?: unknown };
      if (typeof body.signedURL !== "string") throw new StorageError(`storage sign ${bucket}/${path}: no signedURL in the answer`, 502);
      return `${base}${body.signedURL}`;
    },
  };
}

/** In-memory Storage for tests: same contract, nothing leaves the process. */
export function memoryStorage(baseUrl = "http://storage.test"): Storage & {
  objects: Map<string, { bytes: Uint8Array; contentType: string }>;
  /** Reads a URL from createSignedUrl as the Storage server would: the object, or the StorageError it answers. */
  readSigned(url: string, nowSeconds?: number): Promise<{ bytes: Uint8Array; contentType: string }>;
} {
  const objects = new Map<string, { bytes: Uint8Array; contentType: string }>();
  const secret = crypto.randomUUID() + crypto.randomUUID();
  const publicUrl = (bucket: string, path: string) => `${baseUrl}/storage/v1/object/public/${bucket}/${encodePath(path)}`;
  return {
    objects,
    publicUrl,
    upload(bucket, path, bytes, contentType, { upsert = false } = {}) {
      const key = `${bucket}/${checkObjectPath(path)}`;
      if (objects.has(key) && !upsert) return Promise.reject(new StorageError(`${key} already exists`, 409));
      objects.set(key, { bytes: bytes.slice(), contentType });
      return Promise.resolve({ bucket, path, size: bytes.byteLength, contentType, publicUrl: publicUrl(bucket, path) });
    },
    download(bucket, path) {
      const found = objects.get(`${bucket}/${checkObjectPath(path)}`);
      return Promise.resolve(found ? { bytes: found.bytes.slice(), contentType: found.contentType } : null);
    },
    remove(bucket, paths) {
      const removed = paths.filter((p) => objects.delete(`${bucket}/${checkObjectPath(p)}`));
      return Promise.resolve(removed);
    },
    async createSignedUrl(bucket, path, expiresIn) {
      if (!objects.has(`${bucket}/${checkObjectPath(path)}`)) return null;
      const token = await signObjectToken(secret, bucket, path, expiresIn);
      return `${baseUrl}/storage/v1/object/sign/${bucket}/${encodePath(path)}?token=${token}`;
    },
    async readSigned(url, nowSeconds) {
      const u = new URL(url);
      const m = /^\/storage\/v1\/object\/sign\/([^/]+)\/(.+)$/.exec(u.pathname);
      if (!m) throw new StorageError("not a signed URL", 400);
      const path = m[2].split("/").map(decodeURIComponent).join("/");
      await verifyObjectToken(secret, u.searchParams.get("token") ?? "", m[1], path, nowSeconds);
      const found = objects.get(`${m[1]}/${path}`);
      if (!found) throw new StorageError("Object not found", 404);
      return { bytes: found.bytes.slice(), contentType: found.contentType };
    },
  };
}
