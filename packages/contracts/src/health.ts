import { z } from "zod";
import { text } from "./errors.ts";

export const healthResponse = z.object({
  status: z.enum(["ok", "degraded"]),
  database: z.enum(["up", "down"]),
  time: text(),
});
export type HealthResponse = z.infer<typeof healthResponse>;
