// The lead notification worker (the service-role key, body
// {"queue": "reports.leads"}): drains the queue with the shared loop
// (functions/_shared/worker.ts); each job notifies the agent of one lead
// (functions/_shared/reports/leads/notify.ts) and is completed in the
// round's batch. A job that throws (the email provider refused, the database
// went away) fails and is retried with backoff; a job for a lead deleted
// meanwhile completes with nothing to do.
import { leadsWorkerInput, type LeadNotified } from "@domus/contracts/reports-leads.ts";
import { json, parseBody } from "../_shared/http.ts";
import { type LeadEmail, type LeadSms, notifyLead } from "../_shared/reports/leads/notify.ts";
import type { LeadsStore } from "../_shared/reports/leads/store.ts";
import { countOutcomes, drain, workerName } from "../_shared/worker.ts";

export interface ReportsLeadsDeps {
  jwtSecret: string;
  store: LeadsStore;
  sms: LeadSms;
  email: LeadEmail;
  clientIpHeader?: string;
  appUrl?: string;
  batchSize: number;
  maxMs: number;
}

type Outcome = { jobId: number; outcome: "notified"; lead: LeadNotified } | { jobId: number; outcome: "gone" | "failed"; error?: string };

export async function work(deps: ReportsLeadsDeps, req: Request): Promise<Response> {
  const body = await parseBody(req, leadsWorkerInput);
  const report = await drain<Awaited<ReturnType<LeadsStore["claim"]>>[number], Outcome>({
    worker: workerName("reports-leads"),
    claim: (worker, limit) => deps.store.claim(worker, limit),
    run: async (job, worker) => {
      const leadId = job.payload.lead_id;
      try {
        if (!leadId) throw Object.assign(new Error("lead_id: missing"), { code: "PT404" });
        const lead = await notifyLead(deps, leadId);
        return { outcome: { jobId: job.id, outcome: "notified", lead }, complete: { id: job.id, result: { ...lead } } };
      } catch (error) {
        if ((error as { code?: string }).code === "PT404") {
          return { outcome: { jobId: job.id, outcome: "gone" }, complete: { id: job.id, result: { gone: true } } };
        }
        const message = error instanceof Error ? error.message : String(error);
        await deps.store.failJob(job.id, worker, message);
        return { outcome: { jobId: job.id, outcome: "failed", error: message } };
      }
    },
    completeBatch: (worker, completions) => deps.store.completeJobs(worker, completions.map((c) => c.id), completions.map((c) => c.result)),
    batchSize: body.batchSize ?? deps.batchSize,
    budgetMs: body.maxMs ?? deps.maxMs,
  });
  const outcomes = countOutcomes(report.outcomes);
  return json({ worker: report.worker, claimed: report.claimed, outcomes, jobs: report.outcomes, seconds: report.ms / 1000 });
}
