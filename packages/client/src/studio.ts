// Studio (seed 002, Stagefy): start AI projects through the `ai-jobs`
// function and watch them finish; read prices, projects, AI jobs and the
// media library; manage CRM contacts, listings and templates. Reads and
// writes go to schema `studio` under RLS; what the database maintains
// (costs, statuses, owners, usage counts) is not writable from here.
import {
  contactInput,
  type ContactInput,
  contactPatch,
  type ContactPatch,
  type ImageRef,
  listingInput,
  type ListingInput,
  listingPatch,
  type ListingPatch,
  mediaPatch,
  type MediaPatch,
  projectType,
  type ProjectType,
  startProjectInput,
  type StartProjectInput,
  startProjectResponse,
  type StartProjectResponse,
  templatePatch,
  type TemplatePatch,
  templateRecordInput,
  type TemplateRecordInput,
} from "@domus/contracts/studio.ts";
import { z } from "zod";
import type { Database } from "./database.types.ts";
import { DomusError, unwrap } from "./errors.ts";
import type { FunctionInvoker } from "./functions.ts";
import type { DomusSupabase } from "./supabase.ts";
import { validate } from "./validate.ts";

type Tables = Database["studio"]["Tables"];
export type StudioProject = Tables["projects"]["Row"];
export type StudioAiJob = Tables["ai_jobs"]["Row"];
export type StudioMediaItem = Tables["media_items"]["Row"];
export type StudioContact = Tables["crm_contacts"]["Row"];
export type StudioListing = Tables["crm_listings"]["Row"];
export type StudioTemplate = Tables["templates"]["Row"];
export type StudioJobPrice = Tables["job_prices"]["Row"];
export type StudioUser = Database["studio"]["Views"]["users"]["Row"];
export type { StartProjectInput, StartProjectResponse } from "@domus/contracts/studio.ts";

export const STUDIO_BUCKET = "studio-media";

const uuid = z.string().uuid();
const limit = z.number().int().min(1).max(500);
const FINISHED = new Set(["completed", "failed"]);

export interface MediaQuery {
  listingId?: string;
  contactId?: string;
  projectId?: string;
  type?: "image" | "video" | "template";
  favorites?: boolean;
  /** Items carrying all of these tags. */
  tags?: string[];
  limit?: number;
  /** created_at of the last item of the previous page. */
  before?: string;
}

export interface WatchOptions {
  intervalMs?: number;
  timeoutMs?: number;
  /** Called with every new state (status change) of the project. */
  onUpdate?: (project: StudioProject) => void;
  signal?: AbortSignal;
}

export function studioApi(supabase: DomusSupabase, invoke: FunctionInvoker) {
  const db = supabase.schema("studio");

  async function project(id: string): Promise<StudioProject | null> {
    validate(uuid, id);
    return unwrap(await db.from("projects").select("*").eq("id", id).maybeSingle());
  }

  async function updateMedia(id: string, patch: MediaPatch): Promise<StudioMediaItem> {
    validate(uuid, id);
    const values = validate(mediaPatch, patch);
    return unwrap(await db.from("media_items").update(values).eq("id", id).select("*").single());
  }

  return {
    // ---------------------------------------------------------------- AI projects
    /** Credits per job type, service and model (active prices). */
    async prices(type?: ProjectType): Promise<StudioJobPrice[]> {
      let query = db.from("job_prices").select("*").eq("active", true).order("job_type").order("credits");
      if (type) query = query.eq("job_type", validate(projectType, type));
      return unwrap(await query);
    },

    /**
     * Starts a project: credits are reserved and the jobs queued at once, or
     * it fails with 402 (too few credits) and nothing happens. Pass an
     * idempotencyKey to make retrying the call safe: the same key returns the
     * first project and charges once.
     */
    async startProject(input: StartProjectInput): Promise<StartProjectResponse> {
      const body = validate(startProjectInput, input);
      return invoke("ai-jobs", startProjectResponse, { method: "POST", body });
    },

    project,

    async projects(
      { status, type, limit: n = 50, before }: { status?: StudioProject["status"]; type?: ProjectType; limit?: number; before?: string } = {},
    ): Promise<StudioProject[]> {
      validate(limit, n);
      let query = db.from("projects").select("*").order("created_at", { ascending: false }).limit(n);
      if (status) query = query.eq("status", status);
      if (type) query = query.eq("type", type);
      if (before) query = query.lt("created_at", before);
      return unwrap(await query);
    },

    async jobs(projectId: string): Promise<StudioAiJob[]> {
      validate(uuid, projectId);
      return unwrap(await db.from("ai_jobs").select("*").eq("project_id", projectId).order("created_at"));
    },

    /** Polls the project until it is completed or failed; resolves with its final row. */
    async watchProject(id: string, { intervalMs = 1_000, timeoutMs = 120_000, onUpdate, signal }: WatchOptions = {}): Promise<StudioProject> {
      validate(uuid, id);
      const deadline = Date.now() + timeoutMs;
      let last: string | null = null;
      for (;;) {
        if (signal?.aborted) throw new DomusError("watch cancelled", "aborted", 499);
        const row = await project(id);
        if (!row) throw new DomusError(`project ${id}: not found`, "not_found", 404);
        const state = `${row.status}:${row.updated_at}`;
        if (state !== last) onUpdate?.(row);
        last = state;
        if (FINISHED.has(row.status)) return row;
        if (Date.now() + intervalMs > deadline) throw new DomusError(`project ${id}: still ${row.status} after ${timeoutMs} ms`, "timeout", 408);
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    },

    /** Deletes a finished project of yours (its media stay in the library). */
    async deleteProject(id: string): Promise<void> {
      validate(uuid, id);
      unwrap(await db.from("projects").delete().eq("id", id));
    },

    /** Uploads a source photo to your folder in Storage; pass the result in input.images. */
    async uploadPhoto(userId: string, fileName: string, body: Blob | ArrayBuffer | Uint8Array, contentType = "image/jpeg"): Promise<ImageRef> {
      validate(uuid, userId);
      validate(z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, "letters, digits, '.', '_' or '-'"), fileName);
      const path = `${userId}/uploads/${fileName}`;
      const { error } = await supabase.storage.from(STUDIO_BUCKET).upload(path, body as Blob, { contentType, upsert: true });
      if (error) throw new DomusError(error.message, "storage_error", (error as { statusCode?: number }).statusCode ?? 400);
      return { path };
    },

    publicUrl(path: string): string {
      return supabase.storage.from(STUDIO_BUCKET).getPublicUrl(path).data.publicUrl;
    },

    // ---------------------------------------------------------------- media library
    async media(q: MediaQuery = {}): Promise<StudioMediaItem[]> {
      const n = validate(limit, q.limit ?? 50);
      let query = db.from("media_items").select("*").order("created_at", { ascending: false }).limit(n);
      if (q.listingId) query = query.eq("listing_id", validate(uuid, q.listingId));
      if (q.contactId) query = query.eq("contact_id", validate(uuid, q.contactId));
      if (q.projectId) query = query.eq("project_id", validate(uuid, q.projectId));
      if (q.type) query = query.eq("type", q.type);
      if (q.favorites) query = query.eq("is_favorite", true);
      if (q.tags?.length) query = query.contains("tags", q.tags);
      if (q.before) query = query.lt("created_at", q.before);
      return unwrap(await query);
    },

    updateMedia,

    setFavorite(id: string, favorite = true): Promise<StudioMediaItem> {
      return updateMedia(id, { is_favorite: favorite });
    },

    async deleteMedia(id: string): Promise<void> {
      validate(uuid, id);
      unwrap(await db.from("media_items").delete().eq("id", id));
    },

    // ---------------------------------------------------------------- CRM
    async contacts(
      { status, type, search, tag, limit: n = 100 }: { status?: StudioContact["status"]; type?: StudioContact["type"]; search?: string; tag?: string; limit?: number } = {},
    ): Promise<StudioContact[]> {
      validate(limit, n);
      let query = db.from("crm_contacts").select("*").order("name").limit(n);
      if (status) query = query.eq("status", status);
      if (type) query = query.eq("type", type);
      if (tag) query = query.contains("tags", [tag]);
      if (search) query = query.ilike("name", `%${search.replace(/[%_\\]/g, (c) => `\\${c}`)}%`);
      return unwrap(await query);
    },

    async createContact(input: ContactInput): Promise<StudioContact> {
      const values = validate(contactInput, input);
      return unwrap(await db.from("crm_contacts").insert(values).select("*").single());
    },

    async updateContact(id: string, patch: ContactPatch): Promise<StudioContact> {
      validate(uuid, id);
      return unwrap(await db.from("crm_contacts").update(validate(contactPatch, patch)).eq("id", id).select("*").single());
    },

    async deleteContact(id: string): Promise<void> {
      validate(uuid, id);
      unwrap(await db.from("crm_contacts").delete().eq("id", id));
    },

    async listings({ status, contactId, limit: n = 100 }: { status?: StudioListing["status"]; contactId?: string; limit?: number } = {}): Promise<StudioListing[]> {
      validate(limit, n);
      let query = db.from("crm_listings").select("*").order("created_at", { ascending: false }).limit(n);
      if (status) query = query.eq("status", status);
      if (contactId) query = query.eq("contact_id", validate(uuid, contactId));
      return unwrap(await query);
    },

    async createListing(input: ListingInput): Promise<StudioListing> {
      const values = validate(listingInput, input);
      return unwrap(await db.from("crm_listings").insert(values).select("*").single());
    },

    async updateListing(id: string, patch: ListingPatch): Promise<StudioListing> {
      validate(uuid, id);
      return unwrap(await db.from("crm_listings").update(validate(listingPatch, patch)).eq("id", id).select("*").single());
    },

    async deleteListing(id: string): Promise<void> {
      validate(uuid, id);
      unwrap(await db.from("crm_listings").delete().eq("id", id));
    },

    // ---------------------------------------------------------------- templates
    /** Templates you can use: your own and public ones ('all'), or only 'mine' / 'public'. */
    async templates({ scope = "all", type, userId }: { scope?: "all" | "mine" | "public"; type?: StudioTemplate["type"]; userId?: string } = {}): Promise<StudioTemplate[]> {
      let query = db.from("templates").select("*").order("usage_count", { ascending: false }).order("name");
      if (scope === "public") query = query.eq("is_public", true);
      if (scope === "mine") {
        if (!userId) throw new DomusError("userId: required for scope 'mine'", "invalid_request", 400, "userId");
        query = query.eq("user_id", validate(uuid, userId));
      }
      if (type) query = query.eq("type", type);
      return unwrap(await query);
    },

    async createTemplate(input: TemplateRecordInput): Promise<StudioTemplate> {
      const values = validate(templateRecordInput, input);
      return unwrap(await db.from("templates").insert(values as Tables["templates"]["Insert"]).select("*").single());
    },

    async updateTemplate(id: string, patch: TemplatePatch): Promise<StudioTemplate> {
      validate(uuid, id);
      const values = validate(templatePatch, patch);
      return unwrap(await db.from("templates").update(values as Tables["templates"]["Update"]).eq("id", id).select("*").single());
    },

    async deleteTemplate(id: string): Promise<void> {
      validate(uuid, id);
      unwrap(await db.from("templates").delete().eq("id", id));
    },

    // ---------------------------------------------------------------- the seed's users row
    /** Seed 002's user fields (brokerage, market, use_case, role, credits, tier) for a user you may see. */
    async user(userId: string): Promise<StudioUser | null> {
      validate(uuid, userId);
      return unwrap(await db.from("users").select("*").eq("id", userId).maybeSingle());
    },
  };
}

export type StudioApi = ReturnType<typeof studioApi>;
