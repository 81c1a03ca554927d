import type { SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "./database.types.ts";

/** supabase-js typed with the generated schema types (public by default; `.schema("homes")` etc. for products). */
export type DomusSupabase = SupabaseClient<Database, "public">;
