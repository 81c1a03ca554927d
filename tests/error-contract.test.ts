// The error contract on the client side (packages/contracts/src/errors.ts):
// the status a @domus/client caller sees for each SQLSTATE the migrations
// raise, as PostgREST delivers it; a real refusal from the live database; the
// functions gateway's own 404; and the one text refinement on every string
// field of every contract.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createDomusClient, DomusError } from "@domus/client";
import { TEXT_MESSAGE } from "@domus/contracts/errors.ts";
import { functionInvoker } from "../packages/client/src/functions.ts";
import { fromPostgrest } from "../packages/client/src/errors.ts";
import { z, type ZodTypeAny } from "zod";
import { afterAll, describe, expect, it } from "vitest";
import { asRequest, closeDb, createUser, db, userClaims } from "./support/db.ts";
import { recordingFetch } from "./support/recording-fetch.ts";
import { stackEnv } from "./support/stack-env.ts";

afterAll(closeDb);

const REST = "http://rest.test";
const LISTING = "4f7c2a7e-2a39-4b53-8d8e-8c1b4c3f0a01";

// [SQLSTATE, what PostgREST answers, what the caller sees, retryable]
const CASES: Array<[string, number, number, boolean]> = [
  ["PT409", 409, 409, false], // not in this state (offer declined, listing sold...)
  ["PT402", 402, 402, false], // too few credits, allowance used up
  ["PT404", 404, 404, false],
  ["PT429", 429, 429, false],
  ["42501", 403, 403, false],
  ["22023", 400, 400, false],
  ["23505", 409, 409, false],
  ["23503", 409, 409, false],
  ["23514", 400, 400, false],
  ["P0001", 400, 400, false],
  ["22021", 400, 400, false], // NUL in text
  ["22P05", 400, 400, false],
  ["22P02", 400, 400, false],
  ["40P01", 500, 503, true], // a deadlock is worth retrying
  ["40001", 500, 503, true],
  // Raised by databases before the move to PTnnn: PostgREST answered 500 / 400 / 500, the client said 500.
  ["55000", 500, 409, false],
  ["DM402", 400, 402, false],
  ["P0002", 500, 404, false],
];

describe("statuses a client caller sees for database errors", () => {
  it.each(CASES)("%s (PostgREST %i) reaches the caller as %i", async (code, postgrestStatus, status, retryable) => {
    const rec = recordingFetch(() => ({
      status: postgrestStatus,
      body: { code, message: "listing_id: refused", details: null, hint: null },
    }));
    const client = createDomusClient({ url: REST, anonKey: "k", accessToken: "user-token", fetch: rec.fetch });
    const error = await client.homes.offer({ listing_id: LISTING, amount: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomusError);
    expect(error).toMatchObject({ code, status, field: "listing_id", retryable });
  });

  it("42501 is 401 for an anonymous caller, as PostgREST answers it", () => {
    expect(fromPostgrest({ code: "42501", message: "sign in" }, 401).status).toBe(401);
    expect(fromPostgrest({ code: "42501", message: "not yours" }, 403).status).toBe(403);
  });

  it("an error without a database code keeps the HTTP status it came with", () => {
    expect(fromPostgrest({ code: "", message: "bad gateway" }, 502).status).toBe(502);
  });

  it("a PGRST raise takes its status from the detail; .single() without a row is 404", () => {
    expect(fromPostgrest({ code: "PGRST", message: "{}", details: '{"status": 401, "headers": {}}' }).status).toBe(401);
    expect(fromPostgrest({ code: "PGRST116", message: "JSON object requested, multiple (or no) rows returned" }).status).toBe(404);
  });
});

describe("a real refusal from the live database", () => {
  it("an offer on a draft listing raises PT409 and the client reports 409 naming the field", async () => {
    const seller = await createUser("contract-seller");
    const buyer = await createUser("contract-buyer");
    const { rows: [home] } = await db().query(
      `insert into homes.properties (owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft)
       values ($1, '1 Contract Ct', 'Contractville', 'TX', '73301', 3, 2, 2000) returning id`,
      [seller.id],
    );
    const { rows: [listing] } = await db().query(
      `insert into homes.listings (property_id, seller_id, asking_price) values ($1, $2, 500000) returning id`,
      [home.id, seller.id],
    );
    const raised = await asRequest(userClaims(buyer), (c) => c.query("select homes.submit_offer($1, 450000)", [listing.id])).catch((e: unknown) => e);
    const { code, message } = raised as { code: string; message: string };
    expect(code).toBe("PT409");
    expect(fromPostgrest({ code, message })).toMatchObject({ status: 409, field: "listing_id" });
  });
});

describe("the functions gateway", () => {
  it("a function that does not exist reaches the caller as a 404 not_found", async () => {
    const env = stackEnv();
    const { supabase } = createDomusClient({ url: env.functionsUrl.replace(/\/functions\/v1$/, ""), anonKey: env.anonKey });
    const error = await functionInvoker(supabase)("no-such-function", z.unknown(), { method: "GET" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomusError);
    expect(error).toMatchObject({ status: 404, code: "not_found" });
  });
});

// ------------------------------------------------------------ text refinement

/** Every ZodString inside a schema, with its path. */
function strings(schema: ZodTypeAny, path: string, out: Array<[string, z.ZodString]>, seen = new Set<ZodTypeAny>()) {
  if (seen.has(schema)) return out;
  seen.add(schema);
  const def = schema._def as Record<string, unknown>;
  if (schema instanceof z.ZodString) out.push([path, schema]);
  else if (schema instanceof z.ZodObject) {
    for (const [key, value] of Object.entries(schema.shape as Record<string, ZodTypeAny>)) strings(value, `${path}.${key}`, out, seen);
  } else if (schema instanceof z.ZodRecord) {
    strings(schema.keySchema, `${path}{key}`, out, seen);
    strings(schema.valueSchema, `${path}{value}`, out, seen);
  } else if (schema instanceof z.ZodArray) strings(schema.element, `${path}[]`, out, seen);
  else if (schema instanceof z.ZodUnion || schema instanceof z.ZodDiscriminatedUnion) {
    (schema.options as ZodTypeAny[]).forEach((o, i) => strings(o, `${path}|${i}`, out, seen));
  } else {
    for (const key of ["innerType", "schema", "type", "left", "right"]) {
      const inner = def[key];
      if (inner && typeof inner === "object" && "_def" in inner) strings(inner as ZodTypeAny, path, out, seen);
    }
  }
  return out;
}

describe("one text refinement for every string field", async () => {
  const dir = fileURLToPath(new URL("../packages/contracts/src/", import.meta.url));
  const found: Array<[string, z.ZodString]> = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const mod = (await import(`../packages/contracts/src/${file}`)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (value instanceof z.ZodType) strings(value, `${file}:${name}`, found);
    }
  }

  it("finds the string fields of the contracts", () => {
    expect(found.length).toBeGreaterThan(50);
    expect(found.map(([p]) => p)).toContain("studio.ts:startProjectInput|0.name");
  });

  it("every string field refuses NUL and lone surrogates with the shared message", () => {
    const missing = found
      .filter(([, s]) => !s._def.checks.some((c) => c.kind === "regex" && s.safeParse("a\u0000b").error?.issues.some((i) => i.message === TEXT_MESSAGE)))
      .map(([p]) => p);
    expect(missing).toEqual([]);
    for (const [path, s] of found) {
      for (const bad of ["a\u0000b", "\ud800x", "x\udc00"]) expect(s.safeParse(bad).success, `${path} ${JSON.stringify(bad)}`).toBe(false);
    }
  });

  it("a paired surrogate (an emoji) is fine", async () => {
    const { startProjectInput } = await import("@domus/contracts/studio.ts");
    expect(startProjectInput.safeParse({ type: "photo_edit", name: "Sunset \u{1F305}" }).success).toBe(true);
  });
});
