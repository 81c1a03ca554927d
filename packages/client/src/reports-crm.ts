// Reports part 2, the account's people: leads (read, move through their
// statuses, delete; the public form through the reports-leads function),
// contacts and groups (members manage them; CSV import through
// reports-contacts-import), and what platform admins see: blocked addresses,
// the lead rate-limit windows and the agent leaderboard. The rules (status
// machine, unique addresses, same-account links, rights) are the database's;
// inputs are checked with the shared contracts first so a bad field is a 400
// naming it before any request.
import {
  blockedIpInput,
  type BlockedIpInput,
  blockedIpReason,
  contactFilters,
  type ContactFilters,
  contactGroupInput,
  type ContactGroupInput,
  contactGroupName,
  contactInput,
  type ContactInput,
  contactPatch,
  type ContactPatch,
  contactsCsv,
  groupMemberIds,
  leaderboardFilters,
  type LeaderboardFilters,
  leadFilters,
  type LeadFilters,
  leadStatusValue,
  pageFilters,
  type PageFilters,
} from "@domus/contracts/reports.ts";
import { contactsImportResponse, type ContactsImportResponse } from "@domus/contracts/reports-contacts.ts";
import { submitLeadInput, type SubmitLeadRequest, type SubmitLeadResponse } from "@domus/contracts/reports-leads.ts";
import { z } from "zod";
import type { Database } from "./database.types.ts";
import { unwrap } from "./errors.ts";
import type { FunctionInvoker } from "./functions.ts";
import type { DomusSupabase } from "./supabase.ts";
import { validate } from "./validate.ts";

type Tables = Database["reports"]["Tables"];
export type Lead = Tables["leads"]["Row"];
export type LeadStatus = z.infer<typeof leadStatusValue>;
export type ReportsContact = Tables["contacts"]["Row"];
export type ContactGroup = Tables["contact_groups"]["Row"];
export type ContactGroupWithCount = ContactGroup & { member_count: number };
export type BlockedIp = Omit<Tables["blocked_ips"]["Row"], "ip_address"> & { ip_address: string };
export type LeadRateLimit = Tables["lead_rate_limits"]["Row"];
export type AgentLeaderboardRow = Database["reports"]["Views"]["admin_agent_leaderboard"]["Row"];
export type ContactsImportResult = ContactsImportResponse;
export type { SubmitLeadRequest };

const uuid = z.string().uuid();
const received = z.object({ received: z.literal(true) }) as z.ZodType<SubmitLeadResponse>;

/**
 * A search term as one double-quoted PostgREST value inside `or=(...)`, so
 * commas, dots and brackets (an address has them) stay text, never filter
 * syntax; quotes and backslashes are dropped. A `_` or `%` in the term
 * (addresses have underscores) stays: as a wildcard it only widens the match.
 */
const likeTerm = (s: string) => `"*${s.replace(/[\\"]/g, "")}*"`;

export function reportsCrmApi(supabase: DomusSupabase, invoke: FunctionInvoker) {
  const reports = () => supabase.schema("reports");

  return {
    // ---------------------------------------------------------- leads

    /** The account's leads, newest first (members). */
    async leads(accountId: string, filters: LeadFilters = {}): Promise<Lead[]> {
      validate(uuid, accountId);
      const f = validate(leadFilters, filters);
      let query = reports().from("leads").select("*").eq("account_id", accountId);
      if (typeof f.status === "string") query = query.eq("status", f.status);
      else if (f.status) query = query.in("status", f.status);
      if (f.property_report_id) query = query.eq("property_report_id", f.property_report_id);
      if (f.before) query = query.lt("created_at", f.before);
      return unwrap(await query.order("created_at", { ascending: false }).order("id").limit(f.limit));
    },

    async lead(leadId: string): Promise<Lead> {
      validate(uuid, leadId);
      return unwrap(await reports().from("leads").select("*").eq("id", leadId).single());
    },

    /**
     * Moves a lead on: new -> contacted -> qualified -> converted | lost (and
     * new | contacted -> lost). Any other move is the database's 409; the same
     * status again changes nothing.
     */
    async setLeadStatus(leadId: string, status: LeadStatus): Promise<Lead> {
      validate(uuid, leadId);
      const s = validate(z.object({ status: leadStatusValue }).strict(), { status });
      return unwrap(await reports().from("leads").update(s).eq("id", leadId).select("*").single());
    },

    /** Owners and admins; a member's delete matches no row (RLS) and changes nothing. */
    async deleteLead(leadId: string): Promise<void> {
      validate(uuid, leadId);
      unwrap(await reports().from("leads").delete().eq("id", leadId));
    },

    /**
     * The public lead form of a property report's landing page (anon, through
     * reports-leads): consent and an email or E.164 phone required. The answer
     * is the same 202 whether the lead was stored or refused for a blocked
     * address or the rate limit; an unknown or switched-off report is 404.
     */
    async submitLead(input: SubmitLeadRequest): Promise<SubmitLeadResponse> {
      const body = validate(submitLeadInput, input);
      return invoke("reports-leads", received, { method: "POST", body });
    },

    // ---------------------------------------------------------- contacts

    async contacts(accountId: string, filters: ContactFilters = {}): Promise<ReportsContact[]> {
      validate(uuid, accountId);
      const f = validate(contactFilters, filters);
      let query = reports().from("contacts").select("*").eq("account_id", accountId);
      if (f.type) query = query.eq("type", f.type);
      if (f.search) query = query.or(`name.ilike.${likeTerm(f.search)},email.ilike.${likeTerm(f.search)}`);
      return unwrap(await query.order("email").range(f.offset, f.offset + f.limit - 1));
    },

    async contact(contactId: string): Promise<ReportsContact> {
      validate(uuid, contactId);
      return unwrap(await reports().from("contacts").select("*").eq("id", contactId).single());
    },

    /** Members: a contact (email trimmed and lower-cased; an address the account has is 409). */
    async createContact(input: ContactInput): Promise<ReportsContact> {
      const c = validate(contactInput, input);
      return unwrap(await reports().from("contacts").insert(c).select("*").single());
    },

    async updateContact(contactId: string, patch: ContactPatch): Promise<ReportsContact> {
      validate(uuid, contactId);
      const p = validate(contactPatch, patch);
      return unwrap(await reports().from("contacts").update(p).eq("id", contactId).select("*").single());
    },

    /** Deleting a contact removes it from its groups. */
    async deleteContact(contactId: string): Promise<void> {
      validate(uuid, contactId);
      unwrap(await reports().from("contacts").delete().eq("id", contactId));
    },

    /**
     * A CSV file of contacts (header name, email, type, notes in any order;
     * at most 1 MiB and 5,000 rows) through reports-contacts-import. Bad rows
     * are left out and reported by line and field; addresses the account
     * already has are reported, never overwritten.
     */
    async importContacts(accountId: string, csv: string): Promise<ContactsImportResult> {
      validate(uuid, accountId);
      const file = validate(z.object({ csv: contactsCsv }), { csv }).csv;
      return invoke(`reports-contacts-import?account_id=${encodeURIComponent(accountId)}`, contactsImportResponse, {
        method: "POST", body: file, headers: { "Content-Type": "text/csv" },
      });
    },

    // ---------------------------------------------------------- groups

    /** The account's groups by name, each with how many contacts it holds. */
    async contactGroups(accountId: string): Promise<ContactGroupWithCount[]> {
      validate(uuid, accountId);
      const rows = unwrap(
        await reports().from("contact_groups").select("*, members:contact_group_members(count)").eq("account_id", accountId).order("name"),
      ) as unknown as Array<ContactGroup & { members: Array<{ count: number }> }>;
      return rows.map(({ members, ...g }) => ({ ...g, member_count: members[0]?.count ?? 0 }));
    },

    async createContactGroup(input: ContactGroupInput): Promise<ContactGroup> {
      const g = validate(contactGroupInput, input);
      return unwrap(await reports().from("contact_groups").insert(g).select("*").single());
    },

    async renameContactGroup(groupId: string, name: string): Promise<ContactGroup> {
      validate(uuid, groupId);
      const n = validate(z.object({ name: contactGroupName }), { name });
      return unwrap(await reports().from("contact_groups").update(n).eq("id", groupId).select("*").single());
    },

    /** Deleting a group unlinks its contacts (they stay). */
    async deleteContactGroup(groupId: string): Promise<void> {
      validate(uuid, groupId);
      unwrap(await reports().from("contact_groups").delete().eq("id", groupId));
    },

    /** The contacts of a group, by address. */
    async groupMembers(groupId: string): Promise<ReportsContact[]> {
      validate(uuid, groupId);
      const rows = unwrap(
        await reports().from("contacts").select("*, link:contact_group_members!inner(contact_group_id)")
          .eq("link.contact_group_id", groupId).order("email"),
      ) as unknown as Array<ReportsContact & { link: unknown }>;
      return rows.map(({ link: _link, ...c }) => c);
    },

    /**
     * Links contacts to a group; ones already in it are left as they are. A
     * contact of another account is refused by the database (403).
     */
    async addGroupMembers(groupId: string, contactIds: string[]): Promise<void> {
      validate(uuid, groupId);
      const ids = validate(z.object({ contact_ids: groupMemberIds }), { contact_ids: contactIds }).contact_ids;
      const rows = ids.map((contact_id) => ({ contact_group_id: groupId, contact_id }));
      unwrap(await reports().from("contact_group_members").upsert(rows, { onConflict: "contact_group_id,contact_id", ignoreDuplicates: true }));
    },

    async removeGroupMember(groupId: string, contactId: string): Promise<void> {
      validate(uuid, groupId);
      validate(uuid, contactId);
      unwrap(await reports().from("contact_group_members").delete().eq("contact_group_id", groupId).eq("contact_id", contactId));
    },

    // ---------------------------------------------------------- platform admins

    /** Addresses and ranges the lead form refuses, newest first (platform admins; anyone else sees none). */
    async blockedIps(filters: PageFilters = {}): Promise<BlockedIp[]> {
      const f = validate(pageFilters, filters);
      let query = reports().from("blocked_ips").select("*");
      if (f.before) query = query.lt("created_at", f.before);
      return unwrap(await query.order("created_at", { ascending: false }).order("id").limit(f.limit)) as BlockedIp[];
    },

    /** Platform admins: blocks an address or a CIDR range (stored as its network; a range already blocked is 409). */
    async blockIp(input: BlockedIpInput): Promise<BlockedIp> {
      const b = validate(blockedIpInput, input);
      return unwrap(await reports().from("blocked_ips").insert(b).select("*").single()) as BlockedIp;
    },

    async updateBlockedIp(blockedIpId: string, reason: string | null): Promise<BlockedIp> {
      validate(uuid, blockedIpId);
      const r = validate(z.object({ reason: blockedIpReason }), { reason });
      return unwrap(await reports().from("blocked_ips").update({ reason: r.reason ?? null }).eq("id", blockedIpId).select("*").single()) as BlockedIp;
    },

    async unblockIp(blockedIpId: string): Promise<void> {
      validate(uuid, blockedIpId);
      unwrap(await reports().from("blocked_ips").delete().eq("id", blockedIpId));
    },

    /** The lead form's per-minute windows (accepted and refused), newest first (platform admins). */
    async leadRateLimits(filters: PageFilters = {}): Promise<LeadRateLimit[]> {
      const f = validate(pageFilters, filters);
      let query = reports().from("lead_rate_limits").select("*");
      if (f.before) query = query.lt("window_start", f.before);
      return unwrap(await query.order("window_start", { ascending: false }).limit(f.limit));
    },

    /** Agents ranked by reports, then leads, then conversions (platform admins; everyone else gets no rows). */
    async agentLeaderboard(filters: LeaderboardFilters = {}): Promise<AgentLeaderboardRow[]> {
      const f = validate(leaderboardFilters, filters);
      return unwrap(await reports().from("admin_agent_leaderboard").select("*").order("rank").order("agent_id").limit(f.limit));
    },
  };
}

export type ReportsCrmApi = ReturnType<typeof reportsCrmApi>;
