// Waking a queue's worker function with the service-role key, as pg_cron and
// the gateway's scheduler do (the test stack runs no scheduler, so tests
// drive the workers themselves). Fails the test unless the worker answers 200.
import { expect } from "vitest";
import { stackEnv } from "./stack-env.ts";

export async function wakeWorker(fn: string, queue: string) {
  const env = stackEnv();
  const res = await fetch(`${env.functionsUrl}/${fn}`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.serviceRoleKey}`, "content-type": "application/json" },
    body: JSON.stringify({ queue }),
  });
  expect(res.status, `${fn}: ${await res.clone().text()}`).toBe(200);
  return await res.json();
}
