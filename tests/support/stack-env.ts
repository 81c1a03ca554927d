import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface StackEnv {
  dbUrl: string;
  functionsUrl: string;
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
}

const envFile = fileURLToPath(new URL("../../.stack/env", import.meta.url));

function readEnvFile(): Record<string, string> {
  if (!existsSync(envFile)) return {};
  return Object.fromEntries(
    readFileSync(envFile, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

export function stackEnv(): StackEnv {
  const file = readEnvFile();
  const pick = (name: string) => process.env[name] ?? file[name];
  const env = {
    dbUrl: pick("SUPABASE_DB_URL"),
    functionsUrl: pick("SUPABASE_FUNCTIONS_URL"),
    jwtSecret: pick("SUPABASE_JWT_SECRET"),
    anonKey: pick("SUPABASE_ANON_KEY"),
    serviceRoleKey: pick("SUPABASE_SERVICE_ROLE_KEY"),
  };
  const missing = Object.entries(env).filter(([, v]) => !v).map(([k]) => k);
  if (missing.length) {
    throw new Error(`no stack to test against (missing ${missing.join(", ")}): run \`npm test\`, or \`npm start\` in another terminal`);
  }
  return env as StackEnv;
}
