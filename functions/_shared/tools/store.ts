// Typed calls to the Tools checkout functions in Postgres (tools-commerce's
// migration): checkout opens one PENDING purchase per cart line, priced from
// the catalogue, under a checkout reference of ours; Stripe's webhook then
// completes, fails or refunds them through these. Each SQL function is
// idempotent and answers how many purchases it changed, so a redelivered or
// late event changes nothing twice.
import type { Sql } from "../db.ts";

export type ToolsMethod = "CREDIT_CARD" | "ACH" | "INVOICE" | "PLATFORM_CREDITS";
export type ToolsPaymentStatus = "PENDING" | "PROCESSING" | "COMPLETED" | "FAILED" | "REFUNDED" | "CANCELLED";
export type AccountRole = "owner" | "admin" | "member" | "affiliate";

/** One purchase opened by checkout (private.tools_checkout_begin's row). */
export interface CheckoutLine {
  purchase_id: string;
  item_type: "TOOL" | "BUNDLE";
  item_id: string;
  name: string;
  amount: string;
  currency: string;
  price_model: string;
}

export interface PurchaseState {
  id: string;
  payment_status: ToolsPaymentStatus;
  status: string;
  stripe_payment_id: string | null;
  stripe_invoice_id: string | null;
}

export function toolsStore(sql: Sql) {
  return {
    /** The user's role in the account, or null when they do not belong to it. */
    async memberRole(accountId: string, userId: string): Promise<AccountRole | null> {
      const [row] = await sql`select private.member_role(${accountId}::uuid, ${userId}::uuid) as role`;
      return (row?.role as AccountRole | null) ?? null;
    },

    /** Opens the user's cart in the account as PENDING purchases under `checkoutRef`. */
    async beginCheckout(accountId: string, userId: string, method: ToolsMethod, checkoutRef: string): Promise<CheckoutLine[]> {
      const rows = await sql`
        select purchase_id, item_type::text, item_id, name, amount::text, currency, price_model::text
        from private.tools_checkout_begin(${accountId}::uuid, ${userId}::uuid, ${method}::tools.payment_method, ${checkoutRef})`;
      return rows as unknown as CheckoutLine[];
    },

    /** Activates the checkout's purchases (once); answers how many it activated. */
    async completeCheckout(checkoutRef: string, stripePaymentId: string | null, stripeInvoiceId: string | null): Promise<number> {
      const [row] = await sql`select private.tools_checkout_complete(${checkoutRef}, ${stripePaymentId}, ${stripeInvoiceId}) as n`;
      return Number(row.n);
    },

    /** Fails the checkout's purchases still waiting for payment; answers how many. */
    async failCheckout(checkoutRef: string): Promise<number> {
      const [row] = await sql`select private.tools_checkout_fail(${checkoutRef}) as n`;
      return Number(row.n);
    },

    /** Refunds the purchases paid by this Stripe payment (ends their access); answers how many. */
    async refundPayment(stripePaymentId: string): Promise<number> {
      const [row] = await sql`select private.tools_refund_payment(${stripePaymentId}) as n`;
      return Number(row.n);
    },

    /**
     * How many purchases this Stripe payment paid for (any state): 0 means it is not a Tools payment we know.
     * stripe_payment_id is unique per purchase, so the lines of one payment store `<payment id>:<n>`.
     */
    async purchasesPaidBy(stripePaymentId: string): Promise<number> {
      const [row] = await sql`
        select count(*)::int as n from tools.marketplace_purchases
        where split_part(stripe_payment_id, ':', 1) = ${stripePaymentId} and stripe_payment_id is not null`;
      return row.n;
    },

    /** What the checkout's purchases cost together, per currency (one row for a checkout we began). */
    async checkoutTotals(checkoutRef: string): Promise<Array<{ currency: string; total: string }>> {
      const rows = await sql`
        select currency::text, sum(amount)::text as total from tools.marketplace_purchases
        where checkout_ref = ${checkoutRef} group by currency order by currency`;
      return rows as unknown as Array<{ currency: string; total: string }>;
    },

    /** Who the checkout belongs to and how it is paid (one row for a checkout we began). */
    async checkoutOwners(checkoutRef: string): Promise<Array<{ account_id: string; payment_method: ToolsMethod }>> {
      const rows = await sql`
        select distinct organization_id::text as account_id, payment_method::text as payment_method
        from tools.marketplace_purchases where checkout_ref = ${checkoutRef} order by 1, 2`;
      return rows as unknown as Array<{ account_id: string; payment_method: ToolsMethod }>;
    },

    async purchases(ids: string[]): Promise<PurchaseState[]> {
      const rows = await sql`
        select id, payment_status::text, status::text, stripe_payment_id, stripe_invoice_id
        from tools.marketplace_purchases where id = any(${ids}::uuid[]) order by id`;
      return rows as unknown as PurchaseState[];
    },
  };
}

export type ToolsStore = ReturnType<typeof toolsStore>;
