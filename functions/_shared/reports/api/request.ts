// Reading an API request: the path below the function, the JSON body (64 KiB
// at most) and zod checks that answer 400 naming the field.
import { formatZodError } from "@domus/contracts/errors.ts";
import type { ZodTypeAny } from "zod";
import { HttpError } from "../../http.ts";

/** The path below the function: hosted Supabase passes /api/..., the local gateway /functions/v1/api/... */
export function apiPath(url: URL): string {
  const rest = url.pathname.replace(/^(?:\/functions\/v1)?\/api(?=\/|$)/, "");
  return rest === "" ? "/" : rest.replace(/\/+$/, "") || "/";
}

export function parse<S extends ZodTypeAny>(schema: S | undefined, value: unknown, where: string) {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // A field the caller may not set is named itself, not as "body".
    if (issue.code === "unrecognized_keys") {
      const field = [...issue.path, issue.keys[0]].join(".");
      throw new HttpError(400, "invalid_request", `${field}: not a field of this request`, field);
    }
    const { field, message } = formatZodError(parsed.error, where);
    throw new HttpError(400, "invalid_request", message, field);
  }
  return parsed.data;
}

export async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text.length > 65_536) throw new HttpError(413, "invalid_request", "body: at most 64 KiB", "body");
  try {
    return text.length ? JSON.parse(text) : {};
  } catch {
    throw new HttpError(400, "invalid_json", "body: not valid JSON", "body");
  }
}
