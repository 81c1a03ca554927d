// Accounts and memberships: reads go straight to the tables under RLS;
// multi-row changes go through the RPCs that keep the invariants.
import {
  type AccountRole,
  createInvitationInput,
  type CreateInvitationInput,
  createTeamAccountInput,
  type CreateTeamAccountInput,
  invitationCreated,
  type InvitationCreated,
  invitationToken,
  slug as slugSchema,
} from "@domus/contracts/accounts.ts";
import { z } from "zod";
import type { Database } from "./database.types.ts";
import { unwrap } from "./errors.ts";
import type { DomusSupabase } from "./supabase.ts";
import { validate } from "./validate.ts";

type Tables = Database["public"]["Tables"];
export type Account = Tables["accounts"]["Row"];
export type Membership = Tables["account_memberships"]["Row"];
export type Invitation = Omit<Tables["invitations"]["Row"], "token_hash">;
export type AccountUpdate = Pick<Tables["accounts"]["Update"], "name" | "slug" | "branding">;

export interface MemberWithProfile extends Membership {
  profile: Pick<Tables["profiles"]["Row"], "id" | "email" | "full_name" | "avatar_url"> | null;
}

const uuid = z.string().uuid();

export function accountsApi(supabase: DomusSupabase) {
  return {
    /** Accounts the caller belongs to (personal first), with the caller's role. */
    async listMine(): Promise<Array<Account & { role: AccountRole }>> {
      const { data: auth } = await supabase.auth.getUser();
      const userId = auth.user?.id;
      const rows = unwrap(
        await supabase
          .from("accounts")
          .select("*, account_memberships!inner(role, user_id)")
          .eq("account_memberships.user_id", userId ?? "")
          .order("account_type")
          .order("name"),
      );
      return rows.map(({ account_memberships, ...account }) => ({
        ...account,
        role: account_memberships[0]!.role,
      }));
    },

    async get(accountId: string): Promise<Account> {
      validate(uuid, accountId);
      return unwrap(await supabase.from("accounts").select("*").eq("id", accountId).single());
    },

    async createTeam(input: CreateTeamAccountInput): Promise<Account> {
      const { name, slug } = validate(createTeamAccountInput, input);
      return unwrap(await supabase.rpc("create_team_account", { name, slug }).single());
    },

    async update(accountId: string, changes: AccountUpdate): Promise<Account> {
      validate(uuid, accountId);
      if (changes.slug !== undefined) validate(slugSchema, changes.slug);
      return unwrap(await supabase.from("accounts").update(changes).eq("id", accountId).select().single());
    },

    async remove(accountId: string): Promise<void> {
      validate(uuid, accountId);
      unwrap(await supabase.from("accounts").delete().eq("id", accountId));
    },

    async transferOwnership(accountId: string, newOwnerId: string): Promise<Account> {
      validate(uuid, accountId);
      validate(uuid, newOwnerId);
      return unwrap(
        await supabase.rpc("transfer_account_ownership", { account_id: accountId, new_owner_id: newOwnerId }).single(),
      );
    },

    async listMembers(accountId: string): Promise<MemberWithProfile[]> {
      validate(uuid, accountId);
      return unwrap(
        await supabase
          .from("account_memberships")
          .select("*, profile:profiles!account_memberships_user_id_fkey(id, email, full_name, avatar_url)")
          .eq("account_id", accountId)
          .order("created_at"),
      ) as MemberWithProfile[];
    },

    async setMemberRole(accountId: string, userId: string, role: AccountRole): Promise<Membership> {
      validate(uuid, accountId);
      validate(uuid, userId);
      return unwrap(
        await supabase
          .from("account_memberships")
          .update({ role })
          .eq("account_id", accountId)
          .eq("user_id", userId)
          .select()
          .single(),
      );
    },

    async removeMember(accountId: string, userId: string): Promise<void> {
      validate(uuid, accountId);
      validate(uuid, userId);
      unwrap(await supabase.from("account_memberships").delete().eq("account_id", accountId).eq("user_id", userId));
    },

    async invite(input: CreateInvitationInput): Promise<InvitationCreated> {
      const parsed = validate(createInvitationInput, input);
      const data = unwrap(
        await supabase.rpc("create_invitation", {
          account_id: parsed.accountId,
          role: parsed.role,
          email: parsed.email,
          expires_in_days: parsed.expiresInDays,
        }),
      );
      return validate(invitationCreated, data);
    },

    async listInvitations(accountId: string): Promise<Invitation[]> {
      validate(uuid, accountId);
      return unwrap(
        await supabase
          .from("invitations")
          .select("id, account_id, role, email, invited_by, expires_at, accepted_by, accepted_at, created_at")
          .eq("account_id", accountId)
          .order("created_at", { ascending: false }),
      );
    },

    async revokeInvitation(invitationId: string): Promise<void> {
      validate(uuid, invitationId);
      unwrap(await supabase.from("invitations").delete().eq("id", invitationId));
    },

    /** Joins the invitation's account; returns its id. */
    async acceptInvitation(token: string): Promise<string> {
      validate(invitationToken, token);
      return unwrap(await supabase.rpc("accept_invitation", { token }));
    },
  };
}

export type AccountsApi = ReturnType<typeof accountsApi>;
