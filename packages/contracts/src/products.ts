// The products Domus serves, derived from the generated copy of
// public.products (products.generated.ts), so nothing else spells the list.
import { z } from "zod";
import { PRODUCT_ROWS } from "./products.generated.ts";

export { PRODUCT_ROWS };
export type ProductRow = (typeof PRODUCT_ROWS)[number];

/** A product that sells plans and credit packs (the five seeds). */
export type Product = Extract<ProductRow, { kind: "product" }>["code"];
/** What a notification or analytics event may belong to: a product or the shared platform. */
export type ProductScope = ProductRow["code"];

const codes = <T extends string>(rows: readonly ProductRow[]) => rows.map((r) => r.code) as [T, ...T[]];

export const PRODUCTS = codes<Product>(PRODUCT_ROWS.filter((r) => r.kind === "product"));
export const PRODUCT_SCOPES = codes<ProductScope>(PRODUCT_ROWS);

/** Postgres schemas with a product's tables, `public` first: what the Data API exposes. */
export const PRODUCT_SCHEMAS: readonly string[] = [...new Set(PRODUCT_ROWS.map((r) => r.schemaName))];

export const product = z.enum(PRODUCTS);
export const productScope = z.enum(PRODUCT_SCOPES);
