// From CSV records to contacts to insert and rows refused, by line and field.
// The rules are the database's (reports.contacts triggers), checked here
// first so one bad row is reported instead of failing the whole import; the
// database still has the last word (duplicates of existing contacts are
// found there, by the unique index).
import { isStorableText, TEXT_MESSAGE } from "@domus/contracts/errors.ts";
import {
  CONTACT_LIMITS,
  CONTACT_TYPES,
  CONTACTS_IMPORT_COLUMNS,
  type ContactsImportSkip,
  type ContactType,
  EMAIL_PATTERN,
} from "@domus/contracts/reports-contacts.ts";
import type { CsvRecord } from "./csv.ts";

export interface ContactRow {
  line: number;
  name: string | null;
  email: string;
  type: ContactType;
  notes: string | null;
}

export interface ImportPlan {
  rows: ContactRow[];
  skipped: ContactsImportSkip[];
  unknown_columns: string[];
}

/** A problem with the file as a whole (400): no header, no email column, a column twice. */
export class HeaderError extends Error {}

type Column = typeof CONTACTS_IMPORT_COLUMNS[number];
const KNOWN = new Set<string>(CONTACTS_IMPORT_COLUMNS);
const chars = (s: string) => Array.from(s).length;

export function planImport(records: CsvRecord[]): ImportPlan {
  const [header, ...data] = records;
  if (!header) throw new HeaderError("header: the file is empty; the first line names the columns (name,email,type,notes)");
  if (header.error) throw new HeaderError(`header: ${header.error}`);
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const index = new Map<Column, number>();
  const unknown: string[] = [];
  names.forEach((name, i) => {
    if (KNOWN.has(name)) {
      if (index.has(name as Column)) throw new HeaderError(`header: column "${name}" appears twice`);
      index.set(name as Column, i);
    } else {
      unknown.push(header.fields[i].trim());
    }
  });
  if (!index.has("email")) throw new HeaderError("header: an email column is required (name,email,type,notes)");

  const rows: ContactRow[] = [];
  const skipped: ContactsImportSkip[] = [];
  const seen = new Map<string, number>();
  const skip = (line: number, field: string, message: string) => skipped.push({ line, field, message: `${field}: ${message}` });

  for (const record of data) {
    if (record.error) {
      skip(record.line, "row", record.error);
      continue;
    }
    if (record.fields.length !== names.length) {
      skip(record.line, "row", `expected ${names.length} fields as in the header, found ${record.fields.length}`);
      continue;
    }
    const get = (c: Column) => (index.has(c) ? record.fields[index.get(c)!] : "");
    const bad = CONTACTS_IMPORT_COLUMNS.find((c) => !isStorableText(get(c)));
    if (bad) {
      skip(record.line, bad, TEXT_MESSAGE);
      continue;
    }
    const email = get("email").trim().toLowerCase();
    if (!email) {
      skip(record.line, "email", "an email address is required");
      continue;
    }
    if (chars(email) > CONTACT_LIMITS.email || !EMAIL_PATTERN.test(email)) {
      skip(record.line, "email", `"${email.slice(0, 80)}" is not an email address`);
      continue;
    }
    const name = get("name").trim();
    if (chars(name) > CONTACT_LIMITS.name) {
      skip(record.line, "name", `at most ${CONTACT_LIMITS.name} characters`);
      continue;
    }
    const type = (get("type").trim().toLowerCase() || "other") as ContactType;
    if (!CONTACT_TYPES.includes(type)) {
      skip(record.line, "type", `one of ${CONTACT_TYPES.join(", ")}`);
      continue;
    }
    const notes = get("notes").trim();
    if (chars(notes) > CONTACT_LIMITS.notes) {
      skip(record.line, "notes", `at most ${CONTACT_LIMITS.notes} characters`);
      continue;
    }
    const first = seen.get(email);
    if (first !== undefined) {
      skip(record.line, "email", `${email} is already on line ${first} of this file`);
      continue;
    }
    seen.set(email, record.line);
    rows.push({ line: record.line, name: name || null, email, type, notes: notes || null });
  }
  return { rows, skipped, unknown_columns: unknown };
}
