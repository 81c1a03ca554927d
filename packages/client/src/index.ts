// @domus/client: supabase-js typed with the generated database types, plus
// the account, session and function operations. Import what you need:
//   import { createDomusClient } from "@domus/client";
import { createClient, type SupabaseClientOptions } from "@supabase/supabase-js";
import { accountsApi } from "./accounts.ts";
import type { Database } from "./database.types.ts";
import { billingApi } from "./billing.ts";
import { functionInvoker, functionsApi } from "./functions.ts";
import { homesApi } from "./homes.ts";
import { quicksellApi } from "./quicksell.ts";
import { reportsApi } from "./reports.ts";
import { sessionsApi } from "./sessions.ts";
import { studioApi } from "./studio.ts";
import { toolsApi } from "./tools.ts";
import { defaultRealtimeTransport, functionsUrlFetch, type RealtimeTransport } from "./transport.ts";
import type { DomusSupabase } from "./supabase.ts";

export interface DomusClientOptions {
  /** Project URL, e.g. https://<ref>.supabase.co */
  url: string;
  /** The anon (publishable) key. */
  anonKey: string;
  /** A user's access token, when the app manages sessions itself. */
  accessToken?: string;
  fetch?: typeof fetch;
  /** Overrides where functions live (the Docker-free stack serves them on their own port). */
  functionsUrl?: string;
  /**
   * The WebSocket class Realtime uses. Default: the platform's own (browsers, Deno, Node 22+),
   * else the `ws` package (Node 20 has none), so no caller needs a polyfill.
   */
  realtimeTransport?: RealtimeTransport;
}

export function createDomusClient(options: DomusClientOptions) {
  const headers: Record<string, string> = {};
  if (options.accessToken) headers.Authorization = `Bearer ${options.accessToken}`;
  const baseFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const clientOptions: SupabaseClientOptions<"public"> = {
    global: {
      headers,
      fetch: options.functionsUrl ? functionsUrlFetch(options.url, options.functionsUrl, baseFetch) : baseFetch,
    },
    auth: options.accessToken ? { persistSession: false, autoRefreshToken: false } : {},
    realtime: { transport: options.realtimeTransport ?? defaultRealtimeTransport() },
  };
  const supabase = createClient<Database>(options.url, options.anonKey, clientOptions) as DomusSupabase;
  const invoke = functionInvoker(supabase);
  return {
    supabase,
    accounts: accountsApi(supabase),
    sessions: sessionsApi(supabase),
    functions: functionsApi(supabase),
    billing: billingApi(supabase, invoke),
    homes: homesApi(supabase, invoke),
    quicksell: quicksellApi(supabase, invoke, options.accessToken),
    studio: studioApi(supabase, invoke),
    tools: toolsApi(supabase, invoke, options.accessToken),
    reports: reportsApi(supabase, invoke),
  };
}

export type DomusClient = ReturnType<typeof createDomusClient>;
export type { Database } from "./database.types.ts";
export { DomusError } from "./errors.ts";
export type { RealtimeTransport } from "./transport.ts";
export type { Account, Invitation, Membership, MemberWithProfile } from "./accounts.ts";
export type { CreditBalance, CreditPack, CreditTransaction, Payment, Plan, Product, Subscription } from "./billing.ts";
export { PRODUCT_ROWS, PRODUCTS, type ProductRow, type ProductScope } from "@domus/contracts/products.ts";
export type {
  Listing,
  ListingSearchResult,
  Offer,
  Property,
  SearchPage,
  Valuation,
  ValuationComparable,
  ValuationWithComparables,
} from "./homes.ts";
export type {
  AiRequest,
  AiRequestResult,
  Badge,
  Challenge,
  ConnectResponse,
  Leaderboard,
  LeaderboardEntry,
  ListingPage,
  ListingVersion,
  ListingWithPhotos,
  MarketplaceAccount,
  MarketplaceCopy,
  PointsEntry,
  ProcessedPhoto,
  QuicksellListing,
  QuicksellMarketplace,
  QuicksellPhoto,
  QuicksellSale,
  UserBadge,
  UserChallenge,
  UserStats,
} from "./quicksell.ts";
export type {
  StartProjectInput,
  StartProjectResponse,
  StudioAiJob,
  StudioContact,
  StudioJobPrice,
  StudioListing,
  StudioMediaItem,
  StudioProject,
  StudioTemplate,
  StudioUser,
} from "./studio.ts";
export type {
  BundleWithSavings,
  CartLine,
  CataloguePage,
  MarketplaceBundle,
  MarketplacePurchase,
  MarketplaceReview,
  MarketplaceTool,
  PurchaseWithItem,
  ToolsCheckoutResult,
} from "./tools.ts";
export type {
  AdminDailyMetrics,
  AffiliateBranding,
  ConsumerReport,
  EmailLogEntry,
  EmailSuppression,
  PropertyReport,
  PropertyReportLanding,
  PropertyReportStats,
  PropertyReportStatsDaily,
  PropertyReportWithStats,
  ReportEvent,
  ReportFiles,
  ReportGeneration,
  ReportSchedule,
  ScheduleRun,
  SmsLogEntry,
} from "./reports.ts";
export type {
  AgentLeaderboardRow,
  BlockedIp,
  ContactGroup,
  ContactGroupWithCount,
  ContactsImportResult,
  Lead,
  LeadRateLimit,
  LeadStatus,
  ReportsContact,
  SubmitLeadRequest,
} from "./reports-crm.ts";
export type { ApiKey, CreatedApiKey, RevokedApiKey, Webhook, WebhookDelivery, WebhookSecretResponse } from "./reports-integrations.ts";
