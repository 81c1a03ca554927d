// On-demand valuation: a signed-in user values one of their own properties
// now and gets it back with its comparables (402 when the allowance is used
// up, 404 for anyone else's property).
import type { ValuationResponse } from "@domus/contracts/homes.ts";
import type { Caller } from "../_shared/auth.ts";
import { HttpError } from "../_shared/http.ts";
import { pgCall } from "../_shared/pg-errors.ts";
import type { ValuationDeps } from "./deps.ts";

export async function valueNow(deps: ValuationDeps, caller: Caller, propertyId: string): Promise<ValuationResponse> {
  const owner = await deps.store.ownerOf(propertyId);
  if (owner !== caller.userId) {
    throw new HttpError(404, "not_found", "property_id: no such property of yours", "property_id");
  }
  const valuation = await pgCall(() => deps.store.valueNow(propertyId, `request:${crypto.randomUUID()}`, caller.userId));
  return {
    valuation,
    comparables: await deps.store.comparables(valuation.id),
    billable: await deps.store.isBillable(valuation.usage_event_id),
  };
}
