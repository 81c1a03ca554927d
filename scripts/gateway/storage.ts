// Stand-in for the Storage API server (no Docker here): the object routes
// supabase-js and our functions use, files on disk under `dir/<bucket>/<name>`,
// rows in storage.objects written with the caller's role, so the storage
// policies decide exactly as they do on hosted Supabase:
//   POST|PUT /storage/v1/object/<bucket>/<name>           upload (x-upsert: true to replace)
//   GET      /storage/v1/object/public/<bucket>/<name>    public buckets, no key needed
//   GET      /storage/v1/object/authenticated/<bucket>/<name>, /storage/v1/object/<bucket>/<name>
//   DELETE   /storage/v1/object/<bucket>/<name>, or /storage/v1/object/<bucket> with {"prefixes": [...]}
//   POST     /storage/v1/object/sign/<bucket>/<name>      {"expiresIn": s} -> {"signedURL": "/object/sign/...?token=..."}
//   GET      /storage/v1/object/sign/<bucket>/<name>?token=...  no key: the token is the permission
// Signed URLs carry an HS256 token over {url: "<bucket>/<name>", iat, exp}
// made with the stack's JWT secret, as hosted Storage makes them; signing
// needs read access to the object (the service role, or a select policy),
// a tampered, foreign or expired token is a 400 and reads nothing.
// The service role bypasses the policies (as on hosted Supabase); signed-in
// users go through them; anyone else sees public buckets only.
import type { Sql, Tx } from "../../functions/_shared/db.ts";
import { type Claims, bearerToken, JwtError, verifyJwt } from "../../functions/_shared/jwt.ts";
import { checkExpiresIn, checkObjectPath, signObjectToken, StorageError, verifyObjectToken } from "../../functions/_shared/storage.ts";

export function storageError(status: number, error: string, message: string): Response {
  return new Response(JSON.stringify({ statusCode: String(status), error, message }), {
    status,
    headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
  });
}

class StorageHttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const BUCKET_ID = /^[a-z0-9][a-z0-9_.-]{1,62}$/;

function mimeAllowed(allowed: string[] | null, type: string): boolean {
  if (!allowed?.length) return true;
  const base = type.split(";")[0].trim().toLowerCase();
  return allowed.some((a) => a === base || (a.endsWith("/*") && base.startsWith(a.slice(0, -1))));
}

async function callerOf(req: Request, jwtSecret: string): Promise<Claims> {
  const token = bearerToken(req) ?? req.headers.get("apikey");
  if (!token) return { role: "anon" };
  try {
    return await verifyJwt(token, jwtSecret);
  } catch (error) {
    throw new StorageHttpError(400, "invalid_jwt", error instanceof JwtError ? error.message : "invalid JWT");
  }
}

export function createLocalStorage(options: { dir: string; sql: Sql; jwtSecret: string }) {
  const { dir, sql, jwtSecret } = options;
  const fileOf = (bucket: string, name: string) => `${dir}/${bucket}/${name}`;
  // Bucket settings change rarely: read them at most every few seconds.
  const buckets = new Map<string, { at: number; row: { file_size_limit: number | null; allowed_mime_types: string[] | null } | null }>();
  const bucketOf = async (id: string) => {
    const hit = buckets.get(id);
    if (hit && Date.now() - hit.at < 5_000) return hit.row;
    const [row] = await sql`select file_size_limit, allowed_mime_types from storage.buckets where id = ${id}`;
    const value = row ? { file_size_limit: row.file_size_limit === null ? null : Number(row.file_size_limit), allowed_mime_types: row.allowed_mime_types } : null;
    buckets.set(id, { at: Date.now(), row: value });
    return value;
  };

  const actAs = async (tx: Tx, claims: Claims) => {
    const role = claims.role === "service_role" || claims.role === "authenticated" ? claims.role : "anon";
    await tx`select set_config('role', ${role}, true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
  };

  async function upload(req: Request, bucket: string, name: string, claims: Claims): Promise<Response> {
    if (claims.role === "anon") throw new StorageHttpError(403, "unauthorized", "sign in to upload");
    let bytes: Uint8Array;
    let contentType = req.headers.get("content-type") ?? "application/octet-stream";
    if (contentType.startsWith("multipart/form-data")) {
      const form = await req.formData();
      const file = [...form.values()].find((v): v is File => typeof v !== "string");
      if (!file) throw new StorageHttpError(400, "invalid_request", "no file in the form");
      bytes = new Uint8Array(await file.arrayBuffer());
      contentType = file.type || "application/octet-stream";
    } else {
      bytes = new Uint8Array(await req.arrayBuffer());
    }
    const upsert = req.method === "PUT" || req.headers.get("x-upsert") === "true";
    const b = await bucketOf(bucket);
    if (!b) throw new StorageHttpError(404, "not_found", "Bucket not found");
    if (b.file_size_limit && bytes.byteLength > b.file_size_limit) {
      throw new StorageHttpError(413, "Payload too large", "The object exceeded the maximum allowed size");
    }
    if (!mimeAllowed(b.allowed_mime_types, contentType)) {
      throw new StorageHttpError(415, "invalid_mime_type", `mime type ${contentType} is not supported`);
    }
    const owner = claims.role === "authenticated" && typeof claims.sub === "string" ? claims.sub : null;
    const metadata = JSON.stringify({
      size: bytes.byteLength, mimetype: contentType, cacheControl: req.headers.get("cache-control") ?? "max-age=3600",
      contentLength: bytes.byteLength, httpStatusCode: 200, lastModified: new Date().toISOString(),
    });
    // The file is written beside its final name first, so the row's
    // transaction stays short; it takes the final name only if the row is in.
    const path = fileOf(bucket, name);
    const temp = `${path}.upload-${crypto.randomUUID()}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeFile(temp, bytes);
    let result;
    try {
      result = await sql.begin(async (tx) => {
        // The service role bypasses the policies, as the gateway's own connection does.
        if (claims.role !== "service_role") await actAs(tx, claims);
        const rows = upsert
          ? await tx`
              insert into storage.objects (bucket_id, name, owner, owner_id, metadata)
              values (${bucket}, ${name}, ${owner}, ${owner}, ${metadata}::text::jsonb)
              on conflict (bucket_id, name) do update set metadata = excluded.metadata, updated_at = now(), last_accessed_at = now()
              returning id`
          : await tx`
              insert into storage.objects (bucket_id, name, owner, owner_id, metadata)
              values (${bucket}, ${name}, ${owner}, ${owner}, ${metadata}::text::jsonb)
              on conflict (bucket_id, name) do nothing
              returning id`;
        if (!rows.length) throw new StorageHttpError(409, "Duplicate", "The resource already exists");
        await Deno.rename(temp, path);
        return rows[0];
      });
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      if ((error as { code?: string }).code === "42501") throw new StorageHttpError(403, "Unauthorized", "new row violates row-level security policy");
      throw error;
    }
    return new Response(JSON.stringify({ Key: `${bucket}/${name}`, Id: result.id }), {
      headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
    });
  }

  async function serve(req: Request, bucket: string, name: string, claims: Claims | null): Promise<Response> {
    const found = await sql.begin(async (tx) => {
      if (claims === null) {
        // Public URL: the bucket must be public; no policy is consulted.
        const [row] = await tx`
          select o.metadata from storage.objects o join storage.buckets b on b.id = o.bucket_id
          where o.bucket_id = ${bucket} and o.name = ${name} and b.public`;
        return row ?? null;
      }
      await actAs(tx, claims);
      const [row] = await tx`select o.metadata from storage.objects o where o.bucket_id = ${bucket} and o.name = ${name}`;
      return row ?? null;
    });
    if (!found) return storageError(404, "not_found", "Object not found");
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(fileOf(bucket, name));
    } catch {
      return storageError(404, "not_found", "Object not found");
    }
    const meta = (found.metadata ?? {}) as { mimetype?: string; cacheControl?: string };
    return new Response(req.method === "HEAD" ? null : bytes as unknown as BodyInit, {
      headers: {
        "content-type": meta.mimetype ?? "application/octet-stream",
        "content-length": String(bytes.byteLength),
        "cache-control": meta.cacheControl ?? "max-age=3600",
        "access-control-allow-origin": "*",
      },
    });
  }

  async function sign(req: Request, bucket: string, name: string, claims: Claims): Promise<Response> {
    const body = await req.json().catch(() => null) as { expiresIn?: unknown } | null;
    const expiresIn = typeof body?.expiresIn === "number" ? body.expiresIn : Number.NaN;
    try {
      checkExpiresIn(expiresIn);
    } catch (error) {
      throw new StorageHttpError(400, "invalid_request", (error as Error).message);
    }
    const found = await sql.begin(async (tx) => {
      if (claims.role !== "service_role") await actAs(tx, claims);
      const [row] = await tx`select 1 as one from storage.objects o where o.bucket_id = ${bucket} and o.name = ${name}`;
      return Boolean(row);
    });
    if (!found) throw new StorageHttpError(404, "not_found", "Object not found");
    const token = await signObjectToken(jwtSecret, bucket, name, expiresIn);
    const path = `${bucket}/${name}`.split("/").map(encodeURIComponent).join("/");
    return new Response(JSON.stringify({ signedURL: `/object/sign/${path}?token=${token}` }), {
      headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
    });
  }

  async function serveSigned(req: Request, url: URL, bucket: string, name: string): Promise<Response> {
    try {
      await verifyObjectToken(jwtSecret, url.searchParams.get("token") ?? "", bucket, name);
    } catch (error) {
      throw new StorageHttpError(400, "InvalidJWT", error instanceof StorageError ? error.message : "signed URL: invalid token");
    }
    // The token is the permission: read as the gateway's own connection.
    return await serve(req, bucket, name, { role: "service_role" });
  }

  async function remove(bucket: string, names: string[], claims: Claims): Promise<Response> {
    if (claims.role === "anon") throw new StorageHttpError(403, "unauthorized", "sign in to delete");
    const deleted = await sql.begin(async (tx) => {
      await actAs(tx, claims);
      return await tx`delete from storage.objects where bucket_id = ${bucket} and name = any(${names}::text[]) returning name, metadata`;
    });
    for (const row of deleted) await Deno.remove(fileOf(bucket, row.name)).catch(() => {});
    return new Response(JSON.stringify(deleted.map((r) => ({ bucket_id: bucket, name: r.name, metadata: r.metadata }))), {
      headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
    });
  }

  return async (req: Request): Promise<Response> => {
    if (req.method === "OPTIONS") {
      return new Response(null, {
        status: 204,
        headers: {
          "access-control-allow-origin": "*",
          "access-control-allow-headers": "authorization, x-client-info, apikey, content-type, x-upsert, cache-control",
          "access-control-allow-methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS",
        },
      });
    }
    try {
      const url = new URL(req.url);
      const m = /^\/storage\/v1\/object\/(?:(public|authenticated|sign)\/)?([^/]+)(?:\/(.+))?$/.exec(url.pathname);
      if (!m) throw new StorageHttpError(404, "not_found", "route not served by the local Storage stand-in");
      const [, access, bucket, rawName] = m;
      if (!BUCKET_ID.test(bucket)) throw new StorageHttpError(400, "invalid_bucket", "invalid bucket name");
      let name: string | null = null;
      if (rawName) {
        try {
          name = checkObjectPath(rawName.split("/").map(decodeURIComponent).join("/"));
        } catch {
          throw new StorageHttpError(400, "invalid_key", "invalid object name");
        }
      }
      if (access === "public") {
        if (!name || (req.method !== "GET" && req.method !== "HEAD")) throw new StorageHttpError(405, "method_not_allowed", "public URLs are read-only");
        return await serve(req, bucket, name, null);
      }
      if (access === "sign" && name && (req.method === "GET" || req.method === "HEAD")) return await serveSigned(req, url, bucket, name);
      const claims = await callerOf(req, jwtSecret);
      if (access === "sign") {
        if (!name || req.method !== "POST") throw new StorageHttpError(405, "method_not_allowed", "sign: POST to sign, GET with ?token= to read");
        return await sign(req, bucket, name, claims);
      }
      if ((req.method === "GET" || req.method === "HEAD") && name) return await serve(req, bucket, name, claims);
      if ((req.method === "POST" || req.method === "PUT") && name) return await upload(req, bucket, name, claims);
      if (req.method === "DELETE" && name && !access) return await remove(bucket, [name], claims);
      if (req.method === "DELETE" && !name && !access) {
        const body = await req.json().catch(() => null) as { prefixes?: unknown } | null;
        const names = Array.isArray(body?.prefixes) ? body.prefixes.filter((p): p is string => typeof p === "string") : [];
        if (!names.length) throw new StorageHttpError(400, "invalid_request", "prefixes: a list of object names");
        return await remove(bucket, names, claims);
      }
      throw new StorageHttpError(405, "method_not_allowed", `${req.method} is not served here`);
    } catch (error) {
      if (error instanceof StorageHttpError) return storageError(error.status, error.code, error.message);
      console.error("storage:", error);
      return storageError(500, "internal", "storage failed; see the stack log");
    }
  };
}

