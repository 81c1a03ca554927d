// Processing one QuickSell photo: the original from Storage, its real type
// and dimensions from the bytes, the thumbnail and optimized renditions
// written beside it, and (when asked) the local pixel analysis, then one
// database call that records it all. Used by the queue worker and by the
// seller's "process now" call in functions/quicksell-photos.
//
// Renditions live one folder deeper than any client may write
// (`<seller>/<listing>/<photo id>/thumb.jpg`, `.../optimized.jpg`; the
// storage policies let clients write only `<seller>/<listing>/<file>`), so
// a seller cannot plant or replace a rendition.
import { QUICKSELL_PHOTOS_BUCKET, type ProcessedPhoto } from "@domus/contracts/quicksell-media.ts";
import type { Storage } from "../storage.ts";
import { ImageError, makeRenditions } from "./images.ts";
import { analyzePhoto } from "./photo-analysis.ts";
import type { MediaStore, PhotoAnalysisFields } from "./store-media.ts";

export const BUCKET = QUICKSELL_PHOTOS_BUCKET;

/** A photo that cannot be processed, for good (not worth a retry). */
export class PhotoRefused extends Error {
  constructor(message: string, readonly status = 422) {
    super(message);
  }
}

export const renditionPaths = (p: { user_id: string; listing_id: string; id: string }) => ({
  thumb: `${p.user_id}/${p.listing_id}/${p.id}/thumb.jpg`,
  optimized: `${p.user_id}/${p.listing_id}/${p.id}/optimized.jpg`,
});

/** The URL a client fetches an object by (the bucket is private: it answers through the storage policies). */
export const objectUrl = (storage: Storage, path: string) =>
  storage.publicUrl(BUCKET, path).replace("/storage/v1/object/public/", "/storage/v1/object/authenticated/");

export async function processPhoto(
  deps: { store: MediaStore; storage: Storage },
  photoId: string,
  options: { analyze: boolean },
): Promise<ProcessedPhoto | null> {
  const photo = await deps.store.photo(photoId);
  if (!photo) return null; // deleted since it was queued: nothing to do
  const original = await deps.storage.download(BUCKET, photo.storage_path);
  if (!original) throw new PhotoRefused(`original_url: no object ${photo.storage_path} in ${BUCKET}`, 404);
  let renditions;
  try {
    // The type the upload was stored with must match the bytes too.
    renditions = makeRenditions(original.bytes, original.contentType === "application/octet-stream" ? null : original.contentType);
  } catch (error) {
    if (error instanceof ImageError) throw new PhotoRefused(error.message);
    throw error;
  }
  const paths = renditionPaths(photo);
  // Deterministic names, upsert: a rerun after a lost lease overwrites, never duplicates.
  await deps.storage.upload(BUCKET, paths.thumb, renditions.thumb.bytes, "image/jpeg", { upsert: true });
  await deps.storage.upload(BUCKET, paths.optimized, renditions.optimized.bytes, "image/jpeg", { upsert: true });
  let analysis: PhotoAnalysisFields & { provider: "local" } | null = null;
  if (options.analyze) {
    const a = analyzePhoto(renditions.raster);
    analysis = {
      background_type: a.background_type,
      quality_score: a.quality_score,
      object_confidence: a.object_confidence,
      contains_faces: null,
      contains_hands: null,
      provider: "local",
    };
  }
  const info = {
    mime_type: renditions.original.mimeType,
    width: renditions.original.width,
    height: renditions.original.height,
    file_size: renditions.original.fileSize,
    thumb_url: objectUrl(deps.storage, paths.thumb),
    optimized_url: objectUrl(deps.storage, paths.optimized),
    thumb_path: paths.thumb,
    optimized_path: paths.optimized,
  };
  const saved = await deps.store.savePhoto(photo.id, info, analysis);
  if (!saved) {
    // The row went away while we worked: take the renditions back out.
    await deps.storage.remove(BUCKET, [paths.thumb, paths.optimized]);
    return null;
  }
  return {
    photoId: photo.id,
    listingId: photo.listing_id,
    mimeType: renditions.original.mimeType,
    width: info.width,
    height: info.height,
    fileSize: info.file_size,
    thumbUrl: info.thumb_url,
    optimizedUrl: info.optimized_url,
    thumb: { width: renditions.thumb.width, height: renditions.thumb.height, fileSize: renditions.thumb.fileSize },
    optimized: { width: renditions.optimized.width, height: renditions.optimized.height, fileSize: renditions.optimized.fileSize },
    analysis,
  };
}
