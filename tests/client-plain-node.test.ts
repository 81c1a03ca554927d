// @domus/client as a project outside this repository meets it: built to
// JavaScript (`npm run build`), imported by plain Node 20 with no TypeScript
// loader and no WebSocket polyfill, calling the local gateway's functions.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { stackEnv } from "./support/stack-env.ts";

// Async children: a synchronous one would block the vitest worker past its RPC timeout.
const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const env = stackEnv();

// Runs in a child `node`, so neither vitest's resolver nor its setup files are involved.
const program = `
  import { createDomusClient } from "@domus/client";
  const out = { hasNativeWebSocket: "WebSocket" in globalThis };
  const client = createDomusClient({ url: "http://127.0.0.1:9", anonKey: process.env.ANON, functionsUrl: process.env.FUNCTIONS });
  const channel = client.supabase.channel("plain-node");
  out.channel = typeof channel.subscribe;
  out.health = await client.functions.health();
  await client.supabase.removeAllChannels();
  console.log(JSON.stringify(out));
`;

describe("@domus/client from plain Node", () => {
  it("builds, imports from dist without a polyfill, and reaches the functions through the functions URL", async () => {
    await run("npm", ["run", "build", "--silent"], { cwd: root });
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", program], {
      cwd: root,
      env: { ...process.env, ANON: env.anonKey, FUNCTIONS: env.functionsUrl, NODE_OPTIONS: "" },
    });
    const out = JSON.parse(stdout.trim().split("\n").at(-1)!);
    // Node 20 has no global WebSocket: the client supplied one itself.
    expect(out.hasNativeWebSocket).toBe(Number(process.versions.node.split(".")[0]) >= 22);
    expect(out.channel).toBe("function");
    expect(out.health).toMatchObject({ status: "ok" });
  }, 120_000);

  it("resolves to the built JavaScript, not the TypeScript sources", async () => {
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", 'console.log(import.meta.resolve("@domus/client"))'], { cwd: root });
    expect(stdout.trim()).toMatch(/packages\/client\/dist\/index\.js$/);
  });
});

describe("@domus/client against the Docker-free stack's Data API", () => {
  it("reports the gateway's 501 as not_available_locally, not as a 500", async () => {
    const { createDomusClient, DomusError } = await import("@domus/client");
    const domus = createDomusClient({ url: env.functionsUrl.replace(/\/functions\/v1$/, ""), anonKey: env.anonKey });
    const error = await domus.billing.plans().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomusError);
    expect(error).toMatchObject({ status: 501, code: "not_available_locally" });
  });
});
