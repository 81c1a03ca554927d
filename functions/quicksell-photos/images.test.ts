// The image library and the local analysis on generated photos: types and
// dimensions come from the bytes, renditions are real resized JPEGs, and
// each analysis number moves the way the pixels say.
import { Buffer } from "node:buffer";
import jpeg from "jpeg-js";
import {
  decodePhoto,
  downscale,
  encodeJpeg,
  encodePng,
  ImageError,
  inspectImage,
  makeRenditions,
  MAX_FILE_BYTES,
  OPTIMIZED_LONG_SIDE,
  THUMB_LONG_SIDE,
} from "../_shared/quicksell/images.ts";
import { analyzePhoto } from "../_shared/quicksell/photo-analysis.ts";
import { blur, noise, overExpose, productShot } from "../_shared/quicksell/sample-images.ts";
import { assert, assertEquals } from "../_shared/testing.ts";

function refuses(run: () => unknown, pattern: RegExp) {
  try {
    run();
  } catch (error) {
    assert(error instanceof ImageError, `expected an ImageError, got ${error}`);
    assert(pattern.test((error as Error).message), `message "${(error as Error).message}" does not match ${pattern}`);
    return;
  }
  throw new Error(`expected a refusal matching ${pattern}`);
}

Deno.test("inspectImage reads type and dimensions from PNG and JPEG bytes", () => {
  const shot = productShot(300, 200);
  assertEquals(inspectImage(encodePng(shot)), { mimeType: "image/png", width: 300, height: 200, fileSize: encodePng(shot).byteLength });
  const jpg = encodeJpeg(shot, 80);
  assertEquals(inspectImage(jpg), { mimeType: "image/jpeg", width: 300, height: 200, fileSize: jpg.byteLength });
});

Deno.test("refuses other formats, mismatched declared types, empty, oversized and pixel bombs", () => {
  refuses(() => inspectImage(new TextEncoder().encode("GIF89a......................................")), /^file: only JPEG and PNG/);
  refuses(() => inspectImage(new TextEncoder().encode("<svg xmlns='http://www.w3.org/2000/svg'></svg>")), /^file: only JPEG and PNG/);
  refuses(() => inspectImage(new Uint8Array()), /^file: empty/);
  // A PNG named image/jpeg (or the other way round): the bytes win, and the lie is refused.
  refuses(() => inspectImage(encodePng(productShot(8, 8)), "image/jpeg"), /^mime_type: the file is image\/png, not image\/jpeg/);
  refuses(() => decodePhoto(encodeJpeg(productShot(8, 8), 80), "image/png"), /^mime_type: the file is image\/jpeg/);
  const big = new Uint8Array(MAX_FILE_BYTES + 1);
  big.set(encodePng(productShot(4, 4)));
  refuses(() => inspectImage(big), /^file: larger than 10 MB/);
  // A small file whose header claims 50,000 x 50,000: refused before any pixel is allocated.
  const bomb = encodePng(productShot(4, 4));
  new DataView(bomb.buffer).setUint32(16, 50_000);
  new DataView(bomb.buffer).setUint32(20, 50_000);
  refuses(() => decodePhoto(bomb), /^file: 50000x50000 is more than/);
  // Truncated pixel data: the header is fine, decoding is not.
  refuses(() => decodePhoto(encodePng(productShot(64, 64)).slice(0, 60)), /^file: cannot decode image\/png/);
});

Deno.test("EXIF orientation 6 (phone held upright): width and height are as displayed, pixels rotated", () => {
  const src = productShot(40, 20);
  // Mark the top-left pixel red to follow it through the rotation.
  src.data.set([255, 0, 0, 255], 0);
  const plain = encodeJpeg(src, 95);
  // APP1 "Exif" with a big-endian TIFF header and one IFD entry: Orientation = 6.
  const exif = new Uint8Array([
    0xff, 0xe1, 0x00, 0x22, 0x45, 0x78, 0x69, 0x66, 0x00, 0x00, 0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08,
    0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  ]);
  const rotated = new Uint8Array(plain.length + exif.length);
  rotated.set(plain.subarray(0, 2));
  rotated.set(exif, 2);
  rotated.set(plain.subarray(2), 2 + exif.length);
  assertEquals(inspectImage(rotated).width, 20);
  assertEquals(inspectImage(rotated).height, 40);
  const { raster } = decodePhoto(rotated);
  assertEquals([raster.width, raster.height], [20, 40]);
  // Orientation 6 = rotate 90 degrees clockwise: the stored top-left ends top-right.
  const o = (0 * raster.width + (raster.width - 1)) * 4;
  assert(raster.data[o] > 150 && raster.data[o + 1] < 120, `top-right should be red, got ${raster.data.subarray(o, o + 3)}`);
});

Deno.test("renditions are real JPEGs of the fitted size, decoded back to check", () => {
  const big = productShot(2400, 1800);
  const r = makeRenditions(encodePng(big), "image/png");
  assertEquals(r.original, { mimeType: "image/png", width: 2400, height: 1800, fileSize: encodePng(big).byteLength });
  const thumb = jpeg.decode(Buffer.from(r.thumb.bytes), { useTArray: true });
  assertEquals([thumb.width, thumb.height], [THUMB_LONG_SIDE, 240]);
  assertEquals([r.thumb.width, r.thumb.height, r.thumb.mimeType], [320, 240, "image/jpeg"]);
  const optimized = jpeg.decode(Buffer.from(r.optimized.bytes), { useTArray: true });
  assertEquals([optimized.width, optimized.height], [OPTIMIZED_LONG_SIDE, 1200]);
  assertEquals(r.optimized.fileSize, r.optimized.bytes.byteLength);
  assert(r.thumb.fileSize < r.optimized.fileSize, "thumbnail smaller than the optimized image");
  // A small photo is never enlarged.
  const small = makeRenditions(encodeJpeg(productShot(200, 120), 90));
  assertEquals([small.optimized.width, small.optimized.height, small.thumb.width, small.thumb.height], [200, 120, 200, 120]);
  // A transparent PNG is flattened onto white.
  const clear = productShot(10, 10);
  for (let i = 3; i < clear.data.length; i += 4) clear.data[i] = 0;
  const flat = jpeg.decode(Buffer.from(makeRenditions(encodePng(clear)).thumb.bytes), { useTArray: true });
  assert(flat.data[0] > 245 && flat.data[1] > 245 && flat.data[2] > 245, "transparent pixels become white");
});

Deno.test("downscale averages areas: a 1-pixel checkerboard becomes mid-grey, not aliased stripes", () => {
  const w = 400, h = 400;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.fill((x + y) % 2 ? 255 : 0, (y * w + x) * 4, (y * w + x) * 4 + 3), data[(y * w + x) * 4 + 3] = 255;
  const small = downscale({ width: w, height: h, data }, 37, 37);
  for (let i = 0; i < small.data.length; i += 4) assert(Math.abs(small.data[i] - 128) < 8, `pixel ${i / 4} is ${small.data[i]}`);
});

Deno.test("analysis: a flat white border around a textured centre is plain_white with a confident object", () => {
  const a = analyzePhoto(productShot(640, 480));
  assertEquals(a.background_type, "plain_white");
  assert(a.object_confidence >= 0.8, `object_confidence ${a.object_confidence}`);
  assertEquals([a.contains_faces, a.contains_hands, a.provider], [null, null, "local"]);
  // The white backdrop is not counted as blown highlights.
  assert(a.metrics.clipped_fraction < 0.05, `clipped ${a.metrics.clipped_fraction}`);
  assert(a.quality_score >= 0.7, `quality ${a.quality_score}`);
});

Deno.test("analysis: dark and coloured backdrops, and pure noise is busy with no object", () => {
  assertEquals(analyzePhoto(productShot(320, 240, [12, 12, 16])).background_type, "plain_dark");
  assertEquals(analyzePhoto(productShot(320, 240, [40, 120, 200])).background_type, "plain_color");
  const n = analyzePhoto(noise(320, 240));
  assertEquals(n.background_type, "busy");
  assert(n.object_confidence < 0.2, `noise object_confidence ${n.object_confidence}`);
  // A blank frame: plain, but nothing in it.
  const blank = analyzePhoto(productShot(200, 200, [255, 255, 255], 1));
  const empty = { ...blank };
  assert(empty.object_confidence > 0.5, "the sample has an object");
  const white = { width: 100, height: 100, data: new Uint8Array(100 * 100 * 4).fill(255) };
  assert(analyzePhoto(white).object_confidence < 0.1, "an empty white frame has no object");
});

Deno.test("analysis: a blurred copy scores lower than the sharp one; an over-exposed one lower too", () => {
  const sharp = productShot(640, 480);
  const a = analyzePhoto(sharp);
  const b = analyzePhoto(blur(sharp, 4));
  const c = analyzePhoto(overExpose(sharp));
  assert(b.metrics.laplacian_variance < a.metrics.laplacian_variance / 4, `laplacian ${a.metrics.laplacian_variance} -> ${b.metrics.laplacian_variance}`);
  assert(b.quality_score < a.quality_score - 0.2, `blurred ${b.quality_score} vs sharp ${a.quality_score}`);
  assert(c.metrics.clipped_fraction > 0.3, `clipped ${c.metrics.clipped_fraction}`);
  assert(c.quality_score < a.quality_score - 0.2, `over-exposed ${c.quality_score} vs ${a.quality_score}`);
  // Resolution does not change the verdict: the same scene at a quarter of the size scores about the same.
  const smaller = analyzePhoto(downscale(sharp, 320, 240));
  assertEquals(smaller.background_type, "plain_white");
});

Deno.test("analysis survives JPEG round trips and tiny images", () => {
  const { raster } = decodePhoto(encodeJpeg(productShot(800, 600), 80));
  assertEquals(analyzePhoto(raster).background_type, "plain_white");
  const tiny = analyzePhoto(productShot(3, 3));
  assert(tiny.quality_score >= 0 && tiny.quality_score <= 1, "score in range");
});
