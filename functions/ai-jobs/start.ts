// A signed-in user starts a project. The input is checked field by field
// (400 naming the field); input photos must be the caller's own objects in
// studio-media. The database prices it from studio.job_prices, reserves the
// credits and creates the project, its AI jobs and their queue entries in
// one transaction. Too few credits: 402 and nothing is created. The same
// idempotencyKey returns the first project (200) and charges nothing more.
import { type ImageRef, startProjectInput, type StartProjectRequest, type StartProjectResponse } from "@domus/contracts/studio.ts";
import { requireUser } from "../_shared/auth.ts";
import { HttpError, json, parseBody } from "../_shared/http.ts";
import { pgCall } from "../_shared/pg-errors.ts";
import type { StartResult } from "../_shared/studio/store.ts";
import { type AiJobsDeps, BUCKET } from "./deps.ts";

function imageRefs(body: StartProjectRequest): Array<{ ref: ImageRef; field: string }> {
  const input = body.input as { images?: ImageRef[]; image?: ImageRef };
  const refs = (input.images ?? []).map((ref, i) => ({ ref, field: `input.images.${i}` }));
  if (input.image) refs.push({ ref: input.image, field: "input.image" });
  return refs;
}

function summary(result: StartResult): StartProjectResponse {
  const p = result.project;
  return {
    project: {
      id: p.id,
      name: p.name,
      type: p.type,
      status: p.status,
      accountId: p.account_id,
      creditCost: p.credit_cost,
      createdAt: new Date(p.created_at).toISOString(),
    },
    jobs: result.jobs.map((j) => ({ id: j.id, service: j.service, model: j.model, status: j.status, creditCost: j.credit_cost })),
    replayed: result.replayed,
  };
}

export async function startProject(deps: AiJobsDeps, req: Request): Promise<Response> {
  const caller = await requireUser(req, deps);
  // parseBody returns the parsed (defaults applied) value; its type parameter follows the input side.
  const body = (await parseBody(req, startProjectInput)) as unknown as StartProjectRequest;
  for (const { ref, field } of imageRefs(body)) {
    if ("path" in ref) {
      if (!ref.path.startsWith(`${caller.userId}/`)) {
        throw new HttpError(400, "invalid_request", `${field}.path: must be in your own folder (${caller.userId}/...)`, `${field}.path`);
      }
      if (!(await deps.objectExists(BUCKET, ref.path))) {
        throw new HttpError(400, "invalid_request", `${field}.path: no such object in ${BUCKET}`, `${field}.path`);
      }
    }
  }
  const result = await pgCall(() =>
    deps.store.startProject({
      userId: caller.userId,
      accountId: body.accountId,
      type: body.type,
      name: body.name,
      service: body.service,
      model: body.model,
      input: body.input as Record<string, unknown>,
      idempotencyKey: body.idempotencyKey,
      templateId: body.templateId,
      listingId: body.listingId,
      contactId: body.contactId,
    })
  );
  return json(summary(result), result.replayed ? 200 : 201);
}
