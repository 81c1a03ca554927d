// Database calls of the contacts import, all as the caller (asUser), so the
// inserts are exactly what RLS lets that user do.
import type { Claims } from "../../jwt.ts";
import { asUser, type Sql } from "../../db.ts";
import { HttpError } from "../../http.ts";
import type { ContactRow } from "./rows.ts";

export interface ContactsStore {
  /**
   * Inserts the rows into the account in one transaction; returns the emails
   * inserted. An email the account already has is left as it is (not in the
   * answer). 403 when the caller is not a member of the account.
   */
  importContacts(claims: Claims, accountId: string, rows: ContactRow[]): Promise<Set<string>>;
}

export function contactsStore(sql: Sql): ContactsStore {
  return {
    async importContacts(claims, accountId, rows) {
      return await asUser(sql, claims, async (tx) => {
        // Checked first so a stranger gets 403 even for a file with no good rows.
        const [member] = await tx`select ${accountId}::uuid in (select private.my_account_ids()) as ok`;
        if (!member?.ok) throw new HttpError(403, "forbidden", "account_id: you are not a member of this account", "account_id");
        if (!rows.length) return new Set<string>();
        const payload = JSON.stringify(rows.map(({ name, email, type, notes }) => ({ name, email, type, notes })));
        const inserted = await tx<{ email: string }[]>`
          insert into reports.contacts (account_id, name, email, type, notes)
          select ${accountId}::uuid, r.name, r.email, r.type, r.notes
          from jsonb_to_recordset(${payload}::text::jsonb) as r(name text, email text, type text, notes text)
          on conflict (account_id, lower(email)) do nothing
          returning email`;
        return new Set(inserted.map((r) => r.email));
      });
    },
  };
}
