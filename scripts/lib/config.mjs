// What scripts need from supabase/config.toml, read from the file itself so
// the deployment's config stays the one place that says it.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const CONFIG_TOML = join(new URL("../..", import.meta.url).pathname, "supabase", "config.toml");

/** `[api] schemas` from config.toml's text, without graphql_public (it holds no tables of ours). */
export function exposedSchemas(configToml = readFileSync(CONFIG_TOML, "utf8")) {
  const api = /^\[api\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(configToml)?.[1] ?? "";
  const list = /^schemas\s*=\s*\[([^\]]*)\]/m.exec(api)?.[1];
  if (list === undefined) throw new Error("supabase/config.toml: no `schemas = [...]` under [api]");
  return [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]).filter((s) => s !== "graphql_public");
}
