// The functions to serve, read from supabase/config.toml's [functions.<name>]
// tables with a real TOML parser, so anything the Supabase CLI accepts there
// (inline tables, multi-line arrays, quoting) means the same here.
import { parse } from "npm:smol-toml@^1.9.1";

export interface FunctionConfig {
  name: string;
  verifyJwt: boolean;
  entrypoint: string;
}

const NAME = /^[A-Za-z0-9_-]+$/;

export function readFunctionConfigs(toml: string): FunctionConfig[] {
  const functions = parse(toml).functions ?? {};
  if (typeof functions !== "object" || Array.isArray(functions)) throw new Error("config.toml: [functions] must be a table");
  return Object.entries(functions as Record<string, unknown>).map(([name, raw]) => {
    if (!NAME.test(name)) throw new Error(`config.toml: functions.${name}: not a valid function name`);
    const table = (raw ?? {}) as Record<string, unknown>;
    const verifyJwt = table.verify_jwt ?? true;
    const entrypoint = table.entrypoint ?? `./functions/${name}/index.ts`;
    if (typeof verifyJwt !== "boolean") throw new Error(`config.toml: functions.${name}.verify_jwt: must be true or false`);
    if (typeof entrypoint !== "string") throw new Error(`config.toml: functions.${name}.entrypoint: must be a string`);
    return { name, verifyJwt, entrypoint };
  });
}
