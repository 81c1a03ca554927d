// GET /openapi.json: the api function's OpenAPI 3.1 document, generated from
// the route table (routes.ts) and its zod schemas, so every served route is
// in it with the same bounds the handler checks. zod 3 has no JSON Schema
// export; toJsonSchema covers the kinds the contracts use.
import { TEXT_MESSAGE } from "@domus/contracts/errors.ts";
import type { ZodTypeAny } from "zod";
import { type Route, routes } from "./routes.ts";

type Json = Record<string, unknown>;

// deno-lint-ignore no-explicit-any
type Def = any;

export function toJsonSchema(schema: ZodTypeAny): Json {
  const def: Def = schema._def;
  switch (def.typeName) {
    case "ZodString": {
      const out: Json = { type: "string" };
      for (const c of def.checks ?? []) {
        if (c.kind === "min") out.minLength = c.value;
        else if (c.kind === "max") out.maxLength = c.value;
        else if (c.kind === "uuid") out.format = "uuid";
        else if (c.kind === "datetime") out.format = "date-time";
        else if (c.kind === "email") out.format = "email";
        // text()'s well-formedness rule is not a pattern a client needs to see.
        else if (c.kind === "regex" && c.message !== TEXT_MESSAGE) {
          if (c.regex.source.startsWith("^\\d{4}-")) out.format = "date";
          else out.pattern = c.regex.source;
        }
      }
      return out;
    }
    case "ZodNumber": {
      const out: Json = { type: (def.checks ?? []).some((c: Def) => c.kind === "int") ? "integer" : "number" };
      for (const c of def.checks ?? []) {
        if (c.kind === "min") out[c.inclusive ? "minimum" : "exclusiveMinimum"] = c.value;
        else if (c.kind === "max") out[c.inclusive ? "maximum" : "exclusiveMaximum"] = c.value;
      }
      return out;
    }
    case "ZodBoolean":
      return { type: "boolean" };
    case "ZodUnknown":
    case "ZodAny":
      return {};
    case "ZodLiteral":
      return { const: def.value };
    case "ZodEnum":
      return { type: "string", enum: [...def.values] };
    case "ZodArray": {
      const out: Json = { type: "array", items: toJsonSchema(def.type) };
      if (def.minLength) out.minItems = def.minLength.value;
      if (def.maxLength) out.maxItems = def.maxLength.value;
      return out;
    }
    case "ZodRecord":
      return { type: "object", additionalProperties: toJsonSchema(def.valueType) };
    case "ZodObject": {
      const shape = def.shape() as Record<string, ZodTypeAny>;
      const properties: Json = {};
      const required: string[] = [];
      for (const [name, field] of Object.entries(shape)) {
        properties[name] = toJsonSchema(field);
        if (!field.isOptional() && field._def.typeName !== "ZodDefault") required.push(name);
      }
      return {
        type: "object",
        properties,
        ...(required.length ? { required } : {}),
        ...(def.unknownKeys === "strict" ? { additionalProperties: false } : {}),
      };
    }
    case "ZodOptional":
      return toJsonSchema(def.innerType);
    case "ZodNullable": {
      const inner = toJsonSchema(def.innerType);
      return typeof inner.type === "string" ? { ...inner, type: [inner.type, "null"] } : { anyOf: [inner, { type: "null" }] };
    }
    case "ZodDefault":
      return { ...toJsonSchema(def.innerType), default: def.defaultValue() };
    case "ZodEffects":
      return toJsonSchema(def.schema);
    default:
      throw new Error(`openapi: no JSON Schema for ${def.typeName}`);
  }
}

const ERROR_REF = { $ref: "#/components/schemas/Error" };
const errorAnswer = (description: string) => ({ description, content: { "application/json": { schema: ERROR_REF } } });

function operation(route: Route): Json {
  const parameters: Json[] = [];
  for (const [where, schema] of [["path", route.params], ["query", route.query]] as const) {
    if (!schema) continue;
    const s = toJsonSchema(schema);
    const required = new Set((s.required as string[] | undefined) ?? []);
    for (const [name, prop] of Object.entries(s.properties as Json)) {
      parameters.push({ name, in: where, required: where === "path" || required.has(name), schema: prop });
    }
  }
  const responses: Json = {
    [String(route.status)]: route.response
      ? { description: "OK", content: { "application/json": { schema: toJsonSchema(route.response) } } }
      : { description: route.status === 204 ? "Done, no body" : "OK" },
  };
  if (route.scope) {
    responses["400"] = errorAnswer("A bad parameter or body; error.field names it");
    responses["401"] = errorAnswer("Missing, malformed, bad-checksum, unknown or revoked API key");
    responses["403"] = errorAnswer(`The key lacks scope ${route.scope}`);
    responses["429"] = {
      ...errorAnswer("Past the key's rate limit for this minute"),
      headers: { "Retry-After": { description: "Seconds until the next minute window", schema: { type: "integer" } } },
    };
  }
  if (route.params) responses["404"] = errorAnswer("No such object in the key's account");
  if (route.operation === "createReport") responses["402"] = errorAnswer("The account's report allowance is used up");
  if (route.operation === "listLeads") responses["501"] = errorAnswer("Leads are not available on this deployment yet");
  return {
    operationId: route.operation,
    summary: route.summary,
    ...(route.scope ? { security: [{ apiKey: [] }], "x-required-scope": route.scope } : { security: [] }),
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? { requestBody: { required: true, content: { "application/json": { schema: toJsonSchema(route.body) } } } }
      : {}),
    responses,
  };
}

export function openApiDocument(serverUrl: string | null = null): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  return {
    openapi: "3.1.0",
    info: {
      title: "Domus Reports API",
      version: "1.0.0",
      description:
        "Market reports, leads and schedules of one account, authenticated by an API key " +
        "(`Authorization: Bearer trk_...`, created by an owner or admin with reports.create_api_key). " +
        "Errors: {\"error\": {\"code\", \"message\", \"field\"?}}.",
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", bearerFormat: "trk_ + 30 base62 + 6 base62 CRC32 checksum" },
      },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              properties: { code: { type: "string" }, message: { type: "string" }, field: { type: "string" } },
            },
          },
        },
      },
    },
    paths,
  };
}
