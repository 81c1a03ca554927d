import { formatZodError } from "@domus/contracts/errors.ts";
import type { ZodType } from "zod";
import { DomusError } from "./errors.ts";

/** Validates input with a shared contract; a bad field becomes a 400 naming it. */
export function validate<T>(schema: ZodType<T, any, any>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const { field, message } = formatZodError(parsed.error, "input");
  throw new DomusError(message, "invalid_request", 400, field);
}
