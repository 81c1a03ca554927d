// Reports contacts contracts shared by the reports-contacts-import function
// and @domus/client: the contact types, the limits the database enforces
// (reports.contacts triggers say the same), and the import's answer.
import { z } from "zod";
import { text } from "./errors.ts";

export const CONTACT_TYPES = ["client", "prospect", "agent", "vendor", "other"] as const;
export type ContactType = typeof CONTACT_TYPES[number];
export const contactType = z.enum(CONTACT_TYPES);

/** Same shape the database checks (reports.contacts, email_suppressions). */
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const CONTACT_LIMITS = { email: 254, name: 200, notes: 2000 } as const;

/** The CSV import: body size, data rows, and the header it knows. */
export const CONTACTS_IMPORT_MAX_BYTES = 1_048_576;
export const CONTACTS_IMPORT_MAX_ROWS = 5_000;
export const CONTACTS_IMPORT_COLUMNS = ["name", "email", "type", "notes"] as const;

export const contact = z.object({
  id: text().uuid(),
  account_id: text().uuid(),
  name: text().max(CONTACT_LIMITS.name).nullable(),
  email: text().max(CONTACT_LIMITS.email).regex(EMAIL_PATTERN),
  type: contactType,
  notes: text().max(CONTACT_LIMITS.notes).nullable(),
  created_at: text(),
  updated_at: text(),
});
export type Contact = z.infer<typeof contact>;

export const contactsImportQuery = z.object({ account_id: text().uuid() });

/** One refused row: its first physical line (the header is line 1), the field at fault, why. */
export const contactsImportSkip = z.object({
  line: z.number().int().min(2),
  field: text(),
  message: text(),
});
export type ContactsImportSkip = z.infer<typeof contactsImportSkip>;

export const contactsImportResponse = z.object({
  imported: z.number().int().min(0),
  skipped: z.array(contactsImportSkip),
  /** Header columns the import does not know (ignored). */
  unknown_columns: z.array(text()),
});
export type ContactsImportResponse = z.infer<typeof contactsImportResponse>;
