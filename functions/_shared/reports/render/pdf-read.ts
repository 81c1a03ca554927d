// Reads a rendered PDF back, for tests and for checking a stored file: the
// text of each page (pdf.js through unpdf, as a viewer extracts it) and the
// decompressed content stream of each page (the drawing operators).
import { decodePDFRawStream, PDFArray, PDFDocument, PDFRawStream, type PDFRef } from "pdf-lib";
import { extractText, getDocumentProxy } from "unpdf";

export async function pdfPageTexts(bytes: Uint8Array): Promise<string[]> {
  const pdf = await getDocumentProxy(bytes.slice());
  const { text } = await extractText(pdf, { mergePages: false });
  await pdf.cleanup();
  return text as string[];
}

export async function pdfContentStreams(bytes: Uint8Array): Promise<string[]> {
  const doc = await PDFDocument.load(bytes);
  return doc.getPages().map((page) => {
    const contents = page.node.Contents();
    const streams = contents instanceof PDFArray
      ? contents.asArray().map((ref) => doc.context.lookup(ref as PDFRef))
      : [contents];
    return streams
      .map((s) => (s instanceof PDFRawStream ? new TextDecoder("latin1").decode(decodePDFRawStream(s).decode()) : ""))
      .join("\n");
  });
}
