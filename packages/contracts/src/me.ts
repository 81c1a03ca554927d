// Response of the `me` edge function: the caller's profile and accounts.
import { z } from "zod";
import { accountRole, accountType } from "./accounts.ts";

export const meResponse = z.object({
  user: z.object({
    id: z.string().uuid(),
    email: z.string(),
    full_name: z.string().nullable(),
    account_status: z.enum(["active", "suspended", "deleted"]),
    is_platform_admin: z.boolean(),
  }),
  accounts: z.array(
    z.object({
      id: z.string().uuid(),
      name: z.string(),
      slug: z.string(),
      account_type: accountType,
      role: accountRole,
    }),
  ),
});
export type MeResponse = z.infer<typeof meResponse>;
