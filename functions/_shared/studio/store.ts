// Typed calls to the Studio pipeline in Postgres (migration
// 20261122003020_studio_pipeline.sql). Each call is one transaction in the
// database: starting a project (price, hold, rows, queue), claiming jobs,
// and one call per outcome (complete / fail).
import type { AiService, ProjectType } from "@domus/contracts/studio.ts";
import type { Sql } from "../db.ts";

export interface StartArgs {
  userId: string;
  accountId?: string | null;
  type: ProjectType;
  name: string;
  service?: AiService | null;
  model?: string | null;
  input: Record<string, unknown>;
  idempotencyKey?: string | null;
  templateId?: string | null;
  listingId?: string | null;
  contactId?: string | null;
}

export interface ProjectRow {
  id: string;
  user_id: string;
  account_id: string;
  name: string;
  type: ProjectType;
  status: "pending" | "processing" | "completed" | "failed";
  credit_cost: number;
  created_at: string;
}

export interface AiJobRow {
  id: string;
  service: AiService;
  model: string;
  status: "pending" | "processing" | "completed" | "failed";
  credit_cost: number;
}

export interface StartResult {
  project: ProjectRow;
  jobs: AiJobRow[];
  replayed: boolean;
}

export interface ClaimedJob {
  queue_job_id: number;
  ai_job_id: string;
  project_id: string;
  user_id: string;
  account_id: string;
  project_type: ProjectType;
  service: AiService;
  model: string;
  input: Record<string, unknown>;
  attempt: number;
  max_attempts: number;
  api_cost_estimate: number;
}

export type CompleteOutcome = "completed" | "lease_lost" | "hold_expired";
export type FailOutcome = "retrying" | "failed" | "lease_lost";

export interface CompleteArgs {
  queueJobId: number;
  worker: string;
  outputUrl: string;
  output: Record<string, unknown>;
  latencyMs: number;
  apiCost: number;
  media: { title?: string; description?: string; thumbnail_url?: string; storage_path?: string; mime_type?: string; file_size?: number };
}

export interface StudioStore {
  startProject(args: StartArgs): Promise<StartResult>;
  claim(worker: string, limit: number): Promise<ClaimedJob[]>;
  complete(args: CompleteArgs): Promise<CompleteOutcome>;
  fail(queueJobId: number, worker: string, error: string, retry: boolean, latencyMs: number | null): Promise<FailOutcome>;
}

const jsonb = (v: unknown) => JSON.stringify(v ?? {});

export function studioStore(sql: Sql): StudioStore {
  return {
    async startProject(a) {
      const [row] = await sql`
        select private.studio_start_project(
          ${a.userId}::uuid, ${a.accountId ?? null}::uuid, ${a.type}::studio.project_type, ${a.name},
          ${a.service ?? null}::studio.ai_service, ${a.model ?? null}::text, ${jsonb(a.input)}::text::jsonb,
          ${a.idempotencyKey ?? null}::text, ${a.templateId ?? null}::uuid, ${a.listingId ?? null}::uuid,
          ${a.contactId ?? null}::uuid) as result`;
      return row.result as StartResult;
    },
    async claim(worker, limit) {
      const rows = await sql`select * from private.studio_claim_jobs(${worker}, ${limit}::int)`;
      return rows.map((r) => ({ ...r, queue_job_id: Number(r.queue_job_id), api_cost_estimate: Number(r.api_cost_estimate) })) as unknown as ClaimedJob[];
    },
    async complete(a) {
      const [row] = await sql`
        select private.studio_complete_job(
          ${a.queueJobId}::bigint, ${a.worker}, ${a.outputUrl}, ${jsonb(a.output)}::text::jsonb,
          ${a.latencyMs}::int, ${a.apiCost}::numeric, ${jsonb(a.media)}::text::jsonb) as outcome`;
      return row.outcome as CompleteOutcome;
    },
    async fail(queueJobId, worker, error, retry, latencyMs) {
      const [row] = await sql`
        select private.studio_fail_job(${queueJobId}::bigint, ${worker}, ${error.slice(0, 2000)}, ${retry}, ${latencyMs}::int) as outcome`;
      return row.outcome as FailOutcome;
    },
  };
}
