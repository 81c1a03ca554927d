// The QR code of a property report's public landing URL, as a PNG (stored
// beside the PDF as qr.png and drawn into it).
import QRCode from "qrcode";

export async function qrPng(text: string, o: { width?: number; dark?: string; light?: string } = {}): Promise<Uint8Array> {
  const buffer: Uint8Array = await QRCode.toBuffer(text, {
    type: "png",
    errorCorrectionLevel: "M",
    margin: 2,
    width: o.width ?? 300,
    color: { dark: o.dark ?? "#000000", light: o.light ?? "#ffffff" },
  });
  return new Uint8Array(buffer);
}
