/**
 * The image check, per image block and over the request: a base64 image has an accepted media
 * type, at most 5 MB of base64, bytes in the format its media type names, and sides of at most
 * 8000 px (2000 px when the request holds more than 20 images); a request holds at most 100
 * images on a model with a 200K-token window, 600 on the others. Figures: `Limits` in
 * `@claude-resilience/api`, with their sources. URL and file images are counted, not read.
 * The header is read by `Image.fromBase64`, which decodes only the bytes it reads.
 */
import { Image, Limits } from "@claude-resilience/api"
import type { ClaudeError } from "@claude-resilience/errors"
import * as Predicate from "effect/Predicate"
import { ADVICE, preflightError, show } from "./fail.js"
import { pathOf } from "./path.js"

/** What the image check counts over a request. */
export interface Images {
  images: number
  readonly maxImages: number
  /** the path of the first image over `maxImages` */
  tooMany: string | undefined
  /** the path of the first image with a side over the many-images limit, and that side */
  large: string | undefined
  largeSide: number
}

const imageError = (field: string, message: string, advice: string = ADVICE.image) =>
  preflightError("image", field, message, advice)

export const checkImage = (
  block: Readonly<Record<string, unknown>>,
  tally: Images,
  i: number,
  k: number,
  j: number,
  inDocument: boolean
): ClaudeError.PreflightError | undefined => {
  tally.images += 1
  if (tally.images === tally.maxImages + 1) tally.tooMany = pathOf(i, k, j, inDocument)
  const source = block.source
  if (!Predicate.isRecord(source) || source.type !== "base64") return undefined
  const mediaType = source.media_type
  if (!Limits.isImageMediaType(mediaType)) {
    return imageError(
      `${pathOf(i, k, j, inDocument)}.source.media_type`,
      `image media_type ${show(mediaType)} is not one the API accepts (${Limits.imageMediaTypes.join(", ")})`
    )
  }
  const data = source.data
  if (typeof data !== "string") return undefined
  if (data.length > Limits.imageBase64Bytes) {
    return imageError(
      `${pathOf(i, k, j, inDocument)}.source.data`,
      `the image is ${data.length} bytes of base64, above the API's limit of ${Limits.imageBase64Bytes} (5 MB)`
    )
  }
  const info = Image.fromBase64(data)
  if (info === undefined) {
    const dataUrl = data.startsWith("data:")
    return imageError(
      `${pathOf(i, k, j, inDocument)}.source.data`,
      dataUrl
        ? "the image data is a data: URL, not base64"
        : "the image data is not a base64 JPEG, PNG, GIF or WebP image",
      dataUrl ? ADVICE.imageDataUrl : ADVICE.image
    )
  }
  if (info.mediaType !== mediaType) {
    return imageError(
      `${pathOf(i, k, j, inDocument)}.source.media_type`,
      `the image is ${info.mediaType} but its media_type says ${mediaType}`,
      ADVICE.imageMediaType(info.mediaType)
    )
  }
  const side = Math.max(info.width ?? 0, info.height ?? 0)
  if (side > Limits.imageMaxSide) {
    return imageError(
      `${pathOf(i, k, j, inDocument)}.source.data`,
      `the image is ${info.width}×${info.height} px, above the API's limit of ${Limits.imageMaxSide} px a side`
    )
  }
  if (side > Limits.manyImagesMaxSide && tally.large === undefined) {
    tally.large = pathOf(i, k, j, inDocument)
    tally.largeSide = side
  }
  return undefined
}

/** The rules over the whole request, once every image was counted. */
export const imagesVerdict = (tally: Images): ClaudeError.PreflightError | undefined => {
  if (tally.images > tally.maxImages) {
    return imageError(
      tally.tooMany ?? "messages",
      `the request holds ${tally.images} images, above the ${tally.maxImages} the API takes for this model`,
      ADVICE.tooManyImages(tally.maxImages)
    )
  }
  if (tally.images > Limits.manyImages && tally.large !== undefined) {
    return imageError(
      `${tally.large}.source.data`,
      `an image has a side of ${tally.largeSide} px, above the API's limit of ${Limits.manyImagesMaxSide} px a side in a request of more than ${Limits.manyImages} images`
    )
  }
  return undefined
}
