// The text a PDF shows, read without a PDF library: the report renderer
// (pdf-lib, standard fonts) writes each run of text as a hex string shown
// with Tj inside Flate-compressed content streams, so inflating the streams
// and decoding those strings (WinAnsi, Latin-1 for what reports print)
// gives the printed text. Good enough to check what a report says; not a
// general PDF reader.
import { inflateSync } from "node:zlib";

export function pdfText(bytes: Uint8Array): string {
  const raw = Buffer.from(bytes).toString("latin1");
  const runs: string[] = [];
  const streams = /<<([^]*?)>>\s*stream\r?\n/g;
  for (let m = streams.exec(raw); m; m = streams.exec(raw)) {
    const start = m.index + m[0].length;
    const end = raw.indexOf("endstream", start);
    if (end < 0) break;
    let body = Buffer.from(raw.slice(start, end), "latin1");
    if (/\/FlateDecode/.test(m[1]!)) {
      try {
        body = inflateSync(body);
      } catch {
        continue; // images and fonts that are not ours to read
      }
    }
    const ops = body.toString("latin1");
    for (const t of ops.matchAll(/<([0-9A-Fa-f\s]*)>\s*Tj/g)) runs.push(Buffer.from(t[1]!.replace(/\s/g, ""), "hex").toString("latin1"));
    for (const t of ops.matchAll(/\(((?:\\.|[^\\)])*)\)\s*Tj/g)) runs.push(t[1]!.replace(/\\(.)/g, "$1"));
  }
  return runs.join("\n");
}
