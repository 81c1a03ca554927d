// Supabase Storage over its REST API, as service_role: the same calls on
// hosted Supabase and on the local stack (whose gateway serves
// /storage/v1 from a directory on disk). Tests use memoryStorage().
//   upload:    POST {SUPABASE_URL}/storage/v1/object/{bucket}/{path}  (x-upsert)
//   download:  GET  {SUPABASE_URL}/storage/v1/object/authenticated/{bucket}/{path}
//   public URL:     {SUPABASE_URL}/storage/v1/object/public/{bucket}/{path}
//   remove:    DELETE {SUPABASE_URL}/storage/v1/object/{bucket}  {"prefixes": [paths]}

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
  };
}

/** In-memory Storage for tests: same contract, nothing leaves the process. */
export function memoryStorage(baseUrl = "http://storage.test"): Storage & { objects: Map<string, { bytes: Uint8Array; contentType: string }> } {
  const objects = new Map<string, { bytes: Uint8Array; contentType: string }>();
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
  };
}
