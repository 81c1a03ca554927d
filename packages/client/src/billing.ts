// Billing for every product: the catalogue, an account's subscriptions,
// entitlements, credits and payments (all read under RLS), and checkout
// through the `checkout` edge function. Nothing here writes billing state:
// only provider webhooks do.
import {
  checkoutInput,
  type CheckoutInput,
  checkoutResponse,
  type CheckoutResponse,
  entitlementDecision,
  type EntitlementDecision,
} from "@domus/contracts/billing.ts";
import { product as productCode, type Product } from "@domus/contracts/products.ts";
import { z } from "zod";
import type { Database } from "./database.types.ts";
import { unwrap } from "./errors.ts";
import type { FunctionInvoker } from "./functions.ts";
import type { DomusSupabase } from "./supabase.ts";
import { validate } from "./validate.ts";

type Tables = Database["public"]["Tables"];
export type Plan = Tables["plans"]["Row"] & { plan_entitlements: Tables["plan_entitlements"]["Row"][] };
export type CreditPack = Tables["credit_packs"]["Row"];
export type Subscription = Tables["subscriptions"]["Row"];
export type CreditTransaction = Tables["credit_transactions"]["Row"];
export type Payment = Tables["payments"]["Row"];
export type { Product };
export type CreditPool = "credits" | "sms";

export interface CreditBalance {
  balance: number;
  held: number;
  available: number;
}

const uuid = z.string().uuid();
const feature = z.string().regex(/^[a-z]+\.[a-z_]+$/, "not a feature name (product.feature)");

export function billingApi(supabase: DomusSupabase, invoke: FunctionInvoker) {
  return {
    /** Active plans with their entitlements, cheapest tier first. */
    async plans(product?: Product): Promise<Plan[]> {
      if (product !== undefined) validate(productCode, product);
      let query = supabase.from("plans").select("*, plan_entitlements(*)").order("product").order("tier_rank");
      if (product) query = query.eq("product", product);
      return unwrap(await query) as Plan[];
    },

    async creditPacks(product?: Product): Promise<CreditPack[]> {
      if (product !== undefined) validate(productCode, product);
      let query = supabase.from("credit_packs").select("*").order("product").order("price");
      if (product) query = query.eq("product", product);
      return unwrap(await query);
    },

    /** The account's live subscriptions (trialing, active, past_due, paused). */
    async subscriptions(accountId: string): Promise<Subscription[]> {
      validate(uuid, accountId);
      return unwrap(
        await supabase
          .from("subscriptions")
          .select("*")
          .eq("account_id", accountId)
          .in("status", ["trialing", "active", "past_due", "paused"])
          .order("product"),
      );
    },

    /** May the account use `units` of `feature` now, and would it be billable? */
    async entitlement(accountId: string, featureName: string, units = 1): Promise<EntitlementDecision> {
      validate(uuid, accountId);
      validate(feature, featureName);
      validate(z.number().int().positive(), units);
      const data = unwrap(await supabase.rpc("check_entitlement", { account_id: accountId, feature: featureName, units }));
      return validate(entitlementDecision, data);
    },

    async creditBalance(accountId: string, pool: CreditPool = "credits"): Promise<CreditBalance> {
      validate(uuid, accountId);
      const rows: Array<{ balance: number; held: number }> = unwrap(
        await supabase.from("credit_balances").select("balance, held").eq("account_id", accountId).eq("pool", pool),
      );
      const balance = rows[0]?.balance ?? 0;
      const held = rows[0]?.held ?? 0;
      return { balance, held, available: balance - held };
    },

    /** Ledger rows, newest first; pass the last row's created_at as `before` for the next page. */
    async creditHistory(
      accountId: string,
      { pool = "credits", limit = 50, before }: { pool?: CreditPool; limit?: number; before?: string } = {},
    ): Promise<CreditTransaction[]> {
      validate(uuid, accountId);
      validate(z.number().int().min(1).max(500), limit);
      let query = supabase
        .from("credit_transactions")
        .select("*")
        .eq("account_id", accountId)
        .eq("pool", pool)
        .order("created_at", { ascending: false })
        .limit(limit);
      if (before) query = query.lt("created_at", before);
      return unwrap(await query);
    },

    async payments(accountId: string): Promise<Payment[]> {
      validate(uuid, accountId);
      return unwrap(
        await supabase.from("payments").select("*").eq("account_id", accountId).order("created_at", { ascending: false }),
      );
    },

    /** Starts a purchase; in local mode (no provider keys) it completes at once. */
    async checkout(input: CheckoutInput): Promise<CheckoutResponse> {
      const body = validate(checkoutInput, input);
      return invoke("checkout", checkoutResponse, { method: "POST", body });
    },
  };
}

export type BillingApi = ReturnType<typeof billingApi>;
