// Homes (seed 000): properties, listings, search, offers and valuations.
// Reads and simple writes go to the `homes` tables under RLS; state changes
// (publish, offers, sale) go through the RPCs that enforce the state
// machines; on-demand valuations call the `valuation` edge function.
// Publishing a listing queues a valuation refresh: poll latestValuation().
import {
  listingInput,
  type ListingInput,
  offerInput,
  type OfferInput,
  propertyInput,
  type PropertyInput,
  searchFilters,
  type SearchFilters,
  valuationResponse,
  type ValuationResponse,
  valuationSnapshot,
  type ValuationSnapshot,
} from "@domus/contracts/homes.ts";
import { z } from "zod";
import type { Database, Json } from "./database.types.ts";
import { unwrap } from "./errors.ts";
import type { FunctionInvoker } from "./functions.ts";
import type { DomusSupabase } from "./supabase.ts";
import { validate } from "./validate.ts";

type Tables = Database["homes"]["Tables"];
export type Property = Tables["properties"]["Row"];
export type Listing = Tables["listings"]["Row"];
export type Offer = Tables["offers"]["Row"];
export type Valuation = Tables["valuations"]["Row"];
export type ValuationComparable = Tables["valuation_comparables"]["Row"];
export type ValuationWithComparables = Valuation & { valuation_comparables: ValuationComparable[] };
export type ListingSearchResult = Database["homes"]["CompositeTypes"]["listing_search_result"];
export type PropertyUpdate = Partial<Omit<PropertyInput, "currency">>;

export interface SearchPage {
  items: ListingSearchResult[];
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface OfferPageOptions {
  limit?: number;
  /** created_at of the last offer of the previous page. */
  before?: string;
  listingId?: string;
}

const uuid = z.string().uuid();
const money = z.number().positive();
const pageLimit = z.number().int().min(1).max(500);

export function homesApi(supabase: DomusSupabase, invoke: FunctionInvoker) {
  const homes = () => supabase.schema("homes");

  return {
    /** Adds a property owned by the caller, optionally with the caller's own valuation snapshot. */
    async createProperty(input: PropertyInput, snapshot?: ValuationSnapshot): Promise<{ property: Property; valuation: Valuation | null }> {
      const property = validate(propertyInput, input);
      const snap = snapshot === undefined ? null : validate(valuationSnapshot, snapshot);
      // One RPC, one transaction: a refused snapshot leaves no property behind.
      const created = unwrap(await homes().rpc("create_property", { property: property as Json, snapshot: snap as Json }));
      return created as unknown as { property: Property; valuation: Valuation | null };
    },

    async updateProperty(propertyId: string, patch: PropertyUpdate): Promise<Property> {
      validate(uuid, propertyId);
      const row = validate(propertyInput.omit({ currency: true }).partial(), patch);
      return unwrap(await homes().from("properties").update(row).eq("id", propertyId).select("*").single());
    },

    /** The caller's properties, newest first. */
    async myProperties(): Promise<Property[]> {
      const { data: auth } = await supabase.auth.getUser();
      return unwrap(
        await homes().from("properties").select("*").eq("owner_id", auth.user?.id ?? "").order("created_at", { ascending: false }),
      );
    },

    /** A draft listing of one of the caller's properties. */
    async createListing(input: ListingInput): Promise<Listing> {
      const row = validate(listingInput, input);
      return unwrap(await homes().from("listings").insert(row).select("*").single());
    },

    async reprice(listingId: string, askingPrice: number): Promise<Listing> {
      validate(uuid, listingId);
      validate(money, askingPrice);
      return unwrap(await homes().from("listings").update({ asking_price: askingPrice }).eq("id", listingId).select("*").single());
    },

    /** draft/withdrawn -> active; queues a valuation refresh of the property. */
    async publish(listingId: string): Promise<Listing> {
      validate(uuid, listingId);
      return unwrap(await homes().rpc("publish_listing", { listing_id: listingId }).single());
    },

    /** active -> withdrawn; open offers are declined. */
    async withdrawListing(listingId: string): Promise<Listing> {
      validate(uuid, listingId);
      return unwrap(await homes().rpc("withdraw_listing", { listing_id: listingId }).single());
    },

    /** under_contract -> active: the contract fell through. */
    async reopenListing(listingId: string): Promise<Listing> {
      validate(uuid, listingId);
      return unwrap(await homes().rpc("reopen_listing", { listing_id: listingId }).single());
    },

    /** under_contract -> sold at the accepted offer's amount. */
    async markSold(listingId: string): Promise<Listing> {
      validate(uuid, listingId);
      return unwrap(await homes().rpc("mark_sold", { listing_id: listingId }).single());
    },

    /** Active listings; page on with `after: page.nextCursor`. */
    async search(filters: SearchFilters = {}): Promise<SearchPage> {
      const args = validate(searchFilters, filters);
      const items: ListingSearchResult[] = unwrap(await homes().rpc("search_listings", args));
      const last = items[items.length - 1];
      return { items, nextCursor: items.length === args.page_size && last ? last.cursor : null };
    },

    async offer(input: OfferInput): Promise<Offer> {
      const { listing_id, amount, message } = validate(offerInput, input);
      return unwrap(await homes().rpc("submit_offer", { listing_id, amount, ...(message ? { message } : {}) }).single());
    },

    /** Seller: accept; the listing goes under contract and other open offers are declined. */
    async accept(offerId: string): Promise<Offer> {
      validate(uuid, offerId);
      return unwrap(await homes().rpc("accept_offer", { offer_id: offerId }).single());
    },

    async decline(offerId: string): Promise<Offer> {
      validate(uuid, offerId);
      return unwrap(await homes().rpc("decline_offer", { offer_id: offerId }).single());
    },

    /** Buyer: withdraw a submitted offer. */
    async withdraw(offerId: string): Promise<Offer> {
      validate(uuid, offerId);
      return unwrap(await homes().rpc("withdraw_offer", { offer_id: offerId }).single());
    },

    /** Offers the caller made, newest first. */
    async myOffers({ limit = 50, before }: OfferPageOptions = {}): Promise<Offer[]> {
      validate(pageLimit, limit);
      const { data: auth } = await supabase.auth.getUser();
      let query = homes().from("offers").select("*").eq("buyer_id", auth.user?.id ?? "").order("created_at", { ascending: false }).limit(limit);
      if (before) query = query.lt("created_at", before);
      return unwrap(await query);
    },

    /** Offers on the caller's listings (or one of them), newest first. */
    async offersOnMyListings({ limit = 50, before, listingId }: OfferPageOptions = {}): Promise<Offer[]> {
      validate(pageLimit, limit);
      if (listingId) validate(uuid, listingId);
      const { data: auth } = await supabase.auth.getUser();
      let query = homes().from("offers").select("*").eq("seller_id", auth.user?.id ?? "").order("created_at", { ascending: false }).limit(limit);
      if (listingId) query = query.eq("listing_id", listingId);
      if (before) query = query.lt("created_at", before);
      return unwrap(await query);
    },

    /** The newest valuation of a property with the comparables it used, or null. */
    async latestValuation(propertyId: string): Promise<ValuationWithComparables | null> {
      validate(uuid, propertyId);
      const rows = unwrap(
        await homes()
          .from("valuations")
          .select("*, valuation_comparables(*)")
          .eq("property_id", propertyId)
          .order("created_at", { ascending: false })
          .limit(1),
      ) as ValuationWithComparables[];
      return rows[0] ?? null;
    },

    /** Every valuation of a property, newest first. */
    async valuations(propertyId: string): Promise<Valuation[]> {
      validate(uuid, propertyId);
      return unwrap(await homes().from("valuations").select("*").eq("property_id", propertyId).order("created_at", { ascending: false }));
    },

    /** Values one of the caller's properties now (counts against the plan; 402 past the allowance). */
    async requestValuation(propertyId: string): Promise<ValuationResponse> {
      validate(uuid, propertyId);
      return invoke("valuation", valuationResponse, { method: "POST", body: { property_id: propertyId } });
    },
  };
}

export type HomesApi = ReturnType<typeof homesApi>;
