// Tools marketplace (seed 003): the catalogue and bundles (public reads),
// the caller's cart, checkout by each payment method, the account's
// purchases, the may-use check, reviews with helpful votes and reports, and
// moderation for platform admins. Every rule (cart refusals, prices, credits,
// verified purchase, counters) is the database's; the client validates input
// so a bad field is a 400 before any request, and maps refusals to statuses
// (PT402 -> 402 when credits are short, PT409 -> 409 for a state conflict).
import {
  bundleFilters,
  type BundleFilters,
  cartItemInput,
  type CartItemInput,
  catalogueFilters,
  type CatalogueFilters,
  type CatalogueSort,
  creditsFor,
  moderationInput,
  type ModerationInput,
  PRICED_MODELS,
  purchaseFilters,
  type PurchaseFilters,
  reviewEdit,
  type ReviewEdit,
  reviewInput,
  type ReviewInput,
  reviewPage,
  type ReviewPage,
  reviewReport,
  reviewStatus,
  type ReviewStatus,
  tiersUpTo,
  toolsCardCheckoutResponse,
  type ToolsCardCheckoutResponse,
  toolsCheckoutInput,
  type ToolsCheckoutInput,
} from "@domus/contracts/tools.ts";
import { z } from "zod";
import { callerId } from "./caller.ts";
import type { Database } from "./database.types.ts";
import { unwrap } from "./errors.ts";
import type { FunctionInvoker } from "./functions.ts";
import type { DomusSupabase } from "./supabase.ts";
import { validate } from "./validate.ts";

type Tables = Database["tools"]["Tables"];
export type MarketplaceTool = Tables["marketplace_tools"]["Row"];
export type MarketplaceBundle = Tables["marketplace_bundles"]["Row"];
export type MarketplacePurchase = Tables["marketplace_purchases"]["Row"];
export type CartLine = Tables["marketplace_cart"]["Row"] & {
  tool: Pick<MarketplaceTool, "id" | "name" | "price_model" | "price_amount" | "currency" | "required_tier"> | null;
  bundle: Pick<MarketplaceBundle, "id" | "name" | "price_amount" | "currency" | "required_tier"> | null;
};
export type PurchaseWithItem = MarketplacePurchase & {
  tool: Pick<MarketplaceTool, "id" | "name" | "category" | "price_model"> | null;
  bundle: Pick<MarketplaceBundle, "id" | "name"> | null;
};
export type MarketplaceReview = Tables["marketplace_reviews"]["Row"];

export interface CataloguePage {
  items: MarketplaceTool[];
  /** Pass as `offset` for the next page; null on the last page. */
  nextOffset: number | null;
}

export interface BundleWithSavings extends MarketplaceBundle {
  /** The bundle's tools in the seed's order (bundle_items.position). */
  tools: Array<MarketplaceTool & { position: number }>;
  /** Sum of the list prices of the tools that count (ONE_TIME, MONTHLY, ANNUAL). */
  list_total: number;
  /** list_total - price_amount, never negative. */
  savings: number;
  /** savings as a whole percent of list_total (0 when nothing is priced). */
  savings_percent: number;
  /** What the bundle costs paid with platform credits (1 credit = 0.01). */
  price_in_credits: number;
}

export type ToolsCheckoutResult =
  | { method: "CREDIT_CARD" | "ACH"; checkout: ToolsCardCheckoutResponse }
  | { method: "PLATFORM_CREDITS" | "INVOICE"; purchases: MarketplacePurchase[] };

const uuid = z.string().uuid();

// The RPCs' arguments are checked by the contracts before the call; their
// answers are typed by the aliases above.
type ToolsRpc = keyof Database["tools"]["Functions"];

const SORTS: Record<CatalogueSort, Array<[string, { ascending: boolean; nullsFirst?: boolean }]>> = {
  popularity: [["purchase_count", { ascending: false }]],
  rating: [["avg_rating", { ascending: false, nullsFirst: false }], ["review_count", { ascending: false }]],
  newest: [["created_at", { ascending: false }]],
  name: [["name", { ascending: true }]],
  price_asc: [["price_amount", { ascending: true }]],
  price_desc: [["price_amount", { ascending: false }]],
};

const cents = (amount: number) => Math.round(amount * 100);

/** A bundle's contents priced as the database prices bundles (PRICED_MODELS count). */
export function withSavings(bundle: MarketplaceBundle, tools: Array<MarketplaceTool & { position: number }>): BundleWithSavings {
  const listCents = tools.filter((t) => PRICED_MODELS.includes(t.price_model)).reduce((sum, t) => sum + cents(t.price_amount), 0);
  const savingsCents = Math.max(0, listCents - cents(bundle.price_amount));
  return {
    ...bundle,
    tools: [...tools].sort((a, b) => a.position - b.position),
    list_total: listCents / 100,
    savings: savingsCents / 100,
    savings_percent: listCents === 0 ? 0 : Math.round((savingsCents * 100) / listCents),
    price_in_credits: creditsFor(bundle.price_amount),
  };
}

export function toolsApi(supabase: DomusSupabase, invoke: FunctionInvoker, accessToken?: string) {
  const tools = () => supabase.schema("tools");
  const rpc = async <T>(fn: ToolsRpc, args: Record<string, unknown>): Promise<T> => unwrap(await tools().rpc(fn, args as never)) as T;
  const me = callerId(supabase, accessToken);

  type RawBundle = MarketplaceBundle & { marketplace_bundle_items: Array<{ position: number; marketplace_tools: MarketplaceTool | null }> };
  const bundleOf = (raw: RawBundle): BundleWithSavings => {
    const { marketplace_bundle_items: items, ...bundle } = raw;
    const contents = (items ?? []).flatMap((i) => (i.marketplace_tools ? [{ ...i.marketplace_tools, position: i.position }] : []));
    return withSavings(bundle, contents);
  };

  return {
    /** The catalogue, filtered and sorted (popularity = purchase_count desc, rating = avg_rating desc nulls last). */
    async browse(filters: CatalogueFilters = {}): Promise<CataloguePage> {
      const f = validate(catalogueFilters, filters);
      let query = tools().from("marketplace_tools").select("*");
      if (f.category) query = query.eq("category", f.category);
      if (f.price_model) query = query.eq("price_model", f.price_model);
      if (f.required_tier) query = query.eq("required_tier", f.required_tier);
      if (f.available_to_tier) query = query.in("required_tier", tiersUpTo(f.available_to_tier));
      if (typeof f.status === "string") query = query.eq("status", f.status);
      else if (f.status) query = query.in("status", f.status);
      if (f.featured !== undefined) query = query.eq("is_featured", f.featured);
      if (f.popular !== undefined) query = query.eq("is_popular", f.popular);
      if (f.search) query = query.ilike("name", `%${f.search.replace(/[%_\\]/g, (c) => `\\${c}`)}%`);
      for (const [column, order] of SORTS[f.sort]) query = query.order(column as "name", order);
      // id breaks ties so range pages neither repeat nor skip rows.
      query = query.order("id").range(f.offset, f.offset + f.page_size - 1);
      const items = unwrap(await query);
      return { items, nextOffset: items.length === f.page_size ? f.offset + f.page_size : null };
    },

    async tool(toolId: string): Promise<MarketplaceTool> {
      validate(uuid, toolId);
      return unwrap(await tools().from("marketplace_tools").select("*").eq("id", toolId).single());
    },

    /** Bundles with their tools and what they save against buying the tools one by one. */
    async bundles(filters: BundleFilters = {}): Promise<BundleWithSavings[]> {
      const f = validate(bundleFilters, filters);
      let query = tools().from("marketplace_bundles").select("*, marketplace_bundle_items(position, marketplace_tools(*))");
      if (f.status) query = query.eq("status", f.status);
      if (f.featured !== undefined) query = query.eq("is_featured", f.featured);
      const order = { popularity: ["purchase_count", false], price_asc: ["price_amount", true], price_desc: ["price_amount", false], name: ["name", true] }[f.sort] as [string, boolean];
      query = query.order(order[0] as "name", { ascending: order[1] }).order("id");
      const rows = unwrap(await query) as unknown as RawBundle[];
      return rows.map(bundleOf);
    },

    async bundle(bundleId: string): Promise<BundleWithSavings> {
      validate(uuid, bundleId);
      const row = unwrap(
        await tools()
          .from("marketplace_bundles")
          .select("*, marketplace_bundle_items(position, marketplace_tools(*))")
          .eq("id", bundleId)
          .single(),
      ) as unknown as RawBundle;
      return bundleOf(row);
    },

    /** The caller's cart lines for an account (owners and admins may pass `everyone` to see all members'). */
    async cart(accountId: string, { everyone = false }: { everyone?: boolean } = {}): Promise<CartLine[]> {
      validate(uuid, accountId);
      let query = tools()
        .from("marketplace_cart")
        .select(
          "*, tool:marketplace_tools(id, name, price_model, price_amount, currency, required_tier), bundle:marketplace_bundles(id, name, price_amount, currency, required_tier)",
        )
        .eq("organization_id", accountId);
      if (!everyone) query = query.eq("user_id", await me());
      return unwrap(await query.order("added_at")) as unknown as CartLine[];
    },

    /** Adds a tool or a bundle; the database refuses what the account owns, a tier too low, or an item not for sale. */
    async addToCart(input: CartItemInput): Promise<Tables["marketplace_cart"]["Row"]> {
      const line = validate(cartItemInput, input);
      const row: Tables["marketplace_cart"]["Insert"] = line.tool_id
        ? { organization_id: line.account_id, item_type: "TOOL", tool_id: line.tool_id, quantity: 1 }
        : { organization_id: line.account_id, item_type: "BUNDLE", bundle_id: line.bundle_id!, quantity: line.quantity ?? 1 };
      return unwrap(await tools().from("marketplace_cart").insert(row).select("*").single());
    },

    async removeFromCart(lineId: string): Promise<void> {
      validate(uuid, lineId);
      unwrap(await tools().from("marketplace_cart").delete().eq("id", lineId));
    },

    /** Empties the caller's cart for an account. */
    async clearCart(accountId: string): Promise<void> {
      validate(uuid, accountId);
      unwrap(await tools().from("marketplace_cart").delete().eq("organization_id", accountId).eq("user_id", await me()));
    },

    /**
     * Pays for the caller's cart of an account. CREDIT_CARD / ACH: the shared
     * `checkout` function (Stripe Checkout; offline on a stack without keys).
     * PLATFORM_CREDITS: credits debited and purchases activated in one
     * transaction (402 when credits are short). INVOICE: PENDING purchases
     * until a platform admin marks the invoice paid.
     */
    async checkout(input: ToolsCheckoutInput): Promise<ToolsCheckoutResult> {
      const c = validate(toolsCheckoutInput, input);
      switch (c.method) {
        case "CREDIT_CARD":
        case "ACH": {
          const checkout = await invoke("checkout", toolsCardCheckoutResponse, {
            method: "POST",
            body: {
              accountId: c.account_id,
              provider: "stripe",
              item: { type: "tools_cart", accountId: c.account_id, method: c.method },
              ...(c.success_url ? { successUrl: c.success_url } : {}),
              ...(c.cancel_url ? { cancelUrl: c.cancel_url } : {}),
            },
          });
          return { method: c.method, checkout };
        }
        case "PLATFORM_CREDITS":
          return { method: c.method, purchases: await rpc<MarketplacePurchase[]>("checkout_with_credits", { account_id: c.account_id }) };
        case "INVOICE":
          return { method: c.method, purchases: await rpc<MarketplacePurchase[]>("checkout_by_invoice", { account_id: c.account_id }) };
      }
    },

    /** The account's purchases, newest first; page on with `before` = the last row's purchase_date. */
    async purchases(accountId: string, filters: PurchaseFilters = {}): Promise<PurchaseWithItem[]> {
      validate(uuid, accountId);
      const f = validate(purchaseFilters, filters);
      let query = tools()
        .from("marketplace_purchases")
        .select("*, tool:marketplace_tools(id, name, category, price_model), bundle:marketplace_bundles(id, name)")
        .eq("organization_id", accountId);
      if (f.status) query = query.eq("status", f.status);
      if (f.payment_status) query = query.eq("payment_status", f.payment_status);
      if (f.before) query = query.lt("purchase_date", f.before);
      return unwrap(await query.order("purchase_date", { ascending: false }).order("id").limit(f.limit)) as unknown as PurchaseWithItem[];
    },

    /** May the account use the tool now: owned, via a bundle, or FREE and included by its tier. */
    async mayUse(accountId: string, toolId: string): Promise<boolean> {
      validate(uuid, accountId);
      validate(uuid, toolId);
      return (await rpc<boolean>("may_use_tool", { account_id: accountId, tool_id: toolId })) === true;
    },

    /** A tool's approved reviews. */
    async reviews(toolId: string, page: ReviewPage = {}): Promise<MarketplaceReview[]> {
      validate(uuid, toolId);
      const p = validate(reviewPage, page);
      const order = { newest: ["created_at", false], helpful: ["helpful_count", false], rating_desc: ["rating", false], rating_asc: ["rating", true] }[p.sort] as [string, boolean];
      return unwrap(
        await tools()
          .from("marketplace_reviews")
          .select("*")
          .eq("tool_id", toolId)
          .eq("status", "APPROVED")
          .order(order[0] as "rating", { ascending: order[1] })
          .order("id")
          .range(p.offset, p.offset + p.page_size - 1),
      );
    },

    /** One review per user per tool; it starts PENDING and verified_purchase is the database's to set. */
    async createReview(input: ReviewInput): Promise<MarketplaceReview> {
      const r = validate(reviewInput, input);
      const row = { tool_id: r.tool_id, organization_id: r.account_id, rating: r.rating, title: r.title ?? null, review: r.review ?? null };
      return unwrap(await tools().from("marketplace_reviews").insert(row).select("*").single());
    },

    /** The author's edit; an approved review goes back to PENDING. */
    async editReview(reviewId: string, edit: ReviewEdit): Promise<MarketplaceReview> {
      validate(uuid, reviewId);
      const patch = validate(reviewEdit, edit);
      return unwrap(await tools().from("marketplace_reviews").update(patch).eq("id", reviewId).select("*").single());
    },

    async deleteReview(reviewId: string): Promise<void> {
      validate(uuid, reviewId);
      unwrap(await tools().from("marketplace_reviews").delete().eq("id", reviewId));
    },

    /** One helpful vote per user per review (a second one is a 409). */
    async markHelpful(reviewId: string): Promise<void> {
      validate(uuid, reviewId);
      unwrap(await tools().from("marketplace_review_votes").insert({ review_id: reviewId }));
    },

    async unmarkHelpful(reviewId: string): Promise<void> {
      validate(uuid, reviewId);
      unwrap(await tools().from("marketplace_review_votes").delete().eq("review_id", reviewId).eq("user_id", await me()));
    },

    /** One report per user per review; enough distinct reporters send it to FLAGGED. */
    async report(reviewId: string, reason?: string): Promise<void> {
      const r = validate(reviewReport, { review_id: reviewId, reason });
      unwrap(await tools().from("marketplace_review_reports").insert(r.reason ? r : { review_id: r.review_id }));
    },

    /** Platform admins: reviews awaiting a decision (PENDING and FLAGGED by default), oldest first. */
    async moderationQueue(statuses: ReviewStatus[] = ["PENDING", "FLAGGED"]): Promise<MarketplaceReview[]> {
      validate(z.array(reviewStatus).min(1), statuses);
      return unwrap(await tools().from("marketplace_reviews").select("*").in("status", statuses).order("created_at").order("id"));
    },

    /** Platform admins: APPROVED / REJECTED / FLAGGED with notes; the database stamps moderated_at / moderated_by. */
    async moderate(input: ModerationInput): Promise<MarketplaceReview> {
      const m = validate(moderationInput, input);
      return rpc<MarketplaceReview>("moderate_review", { review_id: m.review_id, status: m.status, notes: m.notes ?? null });
    },
  };
}

export type ToolsApi = ReturnType<typeof toolsApi>;
