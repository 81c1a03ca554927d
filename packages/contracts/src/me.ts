// Response of the `me` edge function: the caller's profile and accounts.
import { z } from "zod";
import { text } from "./errors.ts";
import { accountRole, accountType } from "./accounts.ts";

export const meResponse = z.object({
  user: z.object({
    id: text().uuid(),
    email: text(),
    full_name: text().nullable(),
    account_status: z.enum(["active", "suspended", "deleted"]),
    is_platform_admin: z.boolean(),
  }),
  accounts: z.array(
    z.object({
      id: text().uuid(),
      name: text(),
      slug: text(),
      account_type: accountType,
      role: accountRole,
    }),
  ),
});
export type MeResponse = z.infer<typeof meResponse>;
