// RFC 4180 reader for the contacts import: quoted fields with doubled
// quotes, commas and line breaks inside quotes, CRLF / LF / CR line ends, a
// leading UTF-8 BOM. It never throws: a malformed record comes back with an
// error and the reader carries on at the next line, so one bad row costs
// only itself. Lines are physical lines (1-based), a record's line the one
// it starts on, which is what a spreadsheet user sees.

export interface CsvRecord {
  line: number;
  fields: string[];
  /** Set when the record is malformed; fields are then what was read so far. */
  error?: string;
}

export function readCsv(input: string): CsvRecord[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;

  // Consumes one line end at i (CRLF, LF or CR); true if there was one.
  const lineEnd = (): boolean => {
    if (text[i] === "\r") {
      i += text[i + 1] === "\n" ? 2 : 1;
      line++;
      return true;
    }
    if (text[i] === "\n") {
      i++;
      line++;
      return true;
    }
    return false;
  };
  // Skips what is left of a malformed record's physical line.
  const skipLine = () => {
    while (i < n && text[i] !== "\r" && text[i] !== "\n") i++;
    lineEnd();
  };

  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let error: string | undefined;
    let quotedAny = false;
    for (;;) {
      let field = "";
      if (text[i] === '"') {
        quotedAny = true;
        i++;
        let closed = false;
        while (i < n) {
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === "\r" || c === "\n") {
            // A line break inside quotes belongs to the field, normalised to \n.
            field += "\n";
            lineEnd();
            continue;
          }
          field += c;
          i++;
        }
        if (!closed) {
          error = "a quoted field is never closed";
          fields.push(field);
          break;
        }
        if (i < n && text[i] !== "," && text[i] !== "\r" && text[i] !== "\n") {
          error = "text after a closing quote (a quote inside a field is written twice)";
          fields.push(field);
          skipLine();
          break;
        }
      } else {
        while (i < n && text[i] !== "," && text[i] !== "\r" && text[i] !== "\n") {
          if (text[i] === '"') {
            error = "a quote inside an unquoted field (quote the whole field)";
            break;
          }
          field += text[i];
          i++;
        }
        if (error) {
          fields.push(field);
          skipLine();
          break;
        }
      }
      fields.push(field);
      if (i < n && text[i] === ",") {
        // A trailing comma (even at the end of the input) is one more, empty field: the loop reads it.
        i++;
        continue;
      }
      lineEnd();
      break;
    }
    // A blank line is not a record.
    if (!error && !quotedAny && fields.length === 1 && fields[0] === "") continue;
    records.push(error ? { line: start, fields, error } : { line: start, fields });
  }
  return records;
}
