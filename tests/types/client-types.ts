// Compile-time proof that the generated types catch mistakes: each expected-error
// directive below must meet an error, or `tsc` (run by npm test) fails.
import { createDomusClient, type Database } from "@domus/client";
// Never executed.

const client = createDomusClient({ url: "http://127.0.0.1:54321", anonKey: "anon" });
const db = client.supabase;

export async function wrongColumnsAndArguments() {
  // A real column and a real RPC with the right arguments compile.
  await db.from("accounts").update({ name: "Acme" }).eq("id", "00000000-0000-0000-0000-000000000000");
  await db.rpc("create_team_account", { name: "Acme", slug: "acme" });

  // @ts-expect-error: accounts has no column `nmae`
  await db.from("accounts").update({ nmae: "Acme" });

  // @ts-expect-error: create_team_account takes `name`, not `title`
  await db.rpc("create_team_account", { title: "Acme" });

  // @ts-expect-error: there is no RPC `create_account`
  await db.rpc("create_account", { name: "Acme" });

  // @ts-expect-error: role must be one of the account_role enum values
  await db.from("account_memberships").update({ role: "superuser" });

  // @ts-expect-error: no table `users` in public (profiles replaced it)
  await db.from("users").select("*");

  const { data } = await db.from("profiles").select("id, email, full_name").single();
  if (data) {
    const email: string = data.email;
    // @ts-expect-error: only the selected columns are on the row
    void data.bio;
    void email;
  }
}

export function rowTypes(row: Database["public"]["Tables"]["notifications"]["Row"]) {
  const read: boolean = row.read;
  // @ts-expect-error: the seed's `is_read` is `read` here
  void row.is_read;
  return read;
}

export async function clientApiArguments() {
  // @ts-expect-error: role `owner` cannot be invited
  await client.accounts.invite({ accountId: "x", role: "owner" });
  // @ts-expect-error: createTeam needs a name
  await client.accounts.createTeam({ slug: "acme" });
}
