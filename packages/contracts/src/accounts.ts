// Contracts for accounts and memberships, shared by the edge functions and
// @domus/client. The database enforces the same rules; these give callers a
// 4xx-style message naming the field before a round trip.
import { z } from "zod";
import { text } from "./errors.ts";

export const accountRole = z.enum(["owner", "admin", "member", "affiliate"]);
export type AccountRole = z.infer<typeof accountRole>;

export const accountType = z.enum(["personal", "team", "affiliate"]);

export const slug = text()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "use 2 to 63 lowercase letters, digits and hyphens");

export const createTeamAccountInput = z.object({
  name: text().trim().min(1, "required").max(200),
  slug: slug.optional(),
});
export type CreateTeamAccountInput = z.infer<typeof createTeamAccountInput>;

export const createInvitationInput = z.object({
  accountId: text().uuid(),
  role: accountRole.exclude(["owner"]).default("member"),
  email: text().email().optional(),
  expiresInDays: z.number().int().min(1).max(30).default(7),
});
export type CreateInvitationInput = z.input<typeof createInvitationInput>;

export const invitationToken = text().regex(/^[0-9a-f]{48}$/, "not an invitation token");

export const invitationCreated = z.object({
  id: text().uuid(),
  account_id: text().uuid(),
  role: accountRole,
  email: text().nullable(),
  expires_at: text(),
  token: invitationToken,
});
export type InvitationCreated = z.infer<typeof invitationCreated>;
