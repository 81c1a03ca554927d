import type { ZodType } from "zod";
import { DomusError } from "./errors.ts";

/** Validates input with a shared contract; a bad field becomes a 400 naming it. */
export function validate<T>(schema: ZodType<T, any, any>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join(".") || "input";
  throw new DomusError(`${field}: ${issue.message}`, "invalid_request", 400, field);
}
