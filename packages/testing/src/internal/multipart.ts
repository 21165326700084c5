/**
 * A `multipart/form-data` body read into its parts (name, filename, content type, bytes), enough for
 * the Files upload the SDK sends.
 *
 * @internal
 */

/** @internal */
export interface Part {
  readonly name: string
  readonly filename: string | undefined
  readonly contentType: string | undefined
  readonly data: Buffer
}

const CRLF = Buffer.from("\r\n")
const HEADERS_END = Buffer.from("\r\n\r\n")

const boundaryOf = (contentType: string): string | undefined => {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
  return match?.[1] ?? match?.[2]
}

const headerValue = (headers: string, name: string): string | undefined =>
  new RegExp(`^${name}:\\s*(.*)$`, "im").exec(headers)?.[1]?.trim()

const param = (value: string, name: string): string | undefined =>
  new RegExp(`(?:^|;)\\s*${name}="((?:[^"\\\\]|\\\\.)*)"`, "i").exec(value)?.[1]?.replace(/\\(.)/g, "$1") ??
  new RegExp(`(?:^|;)\\s*${name}=([^;]*)`, "i").exec(value)?.[1]?.trim()

/** The parts of a body, or `undefined` when the content type names no boundary. @internal */
export const parse = (body: Uint8Array, contentType: string): ReadonlyArray<Part> | undefined => {
  const boundary = boundaryOf(contentType)
  if (boundary === undefined) return undefined
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  const delimiter = Buffer.from(`--${boundary}`)
  const parts: Array<Part> = []
  let at = bytes.indexOf(delimiter)
  while (at >= 0) {
    const start = at + delimiter.length
    if (bytes.subarray(start, start + 2).toString() === "--") break
    const next = bytes.indexOf(delimiter, start)
    if (next < 0) break
    // the part: CRLF, headers, CRLF CRLF, data, CRLF, then the next delimiter
    const part = bytes.subarray(start + CRLF.length, next - CRLF.length)
    const split = part.indexOf(HEADERS_END)
    if (split >= 0) {
      const headers = part.subarray(0, split).toString("utf8")
      const disposition = headerValue(headers, "content-disposition") ?? ""
      parts.push({
        name: param(disposition, "name") ?? "",
        filename: param(disposition, "filename"),
        contentType: headerValue(headers, "content-type"),
        data: part.subarray(split + HEADERS_END.length)
      })
    }
    at = next
  }
  return parts
}
