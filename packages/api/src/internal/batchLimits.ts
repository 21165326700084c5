// Batch-processing guide, "Batch limitations" (platform.claude.com/docs/en/build-with-claude/batch-processing,
// read 2026-12-02): "A Message Batch is limited to either 100,000 Message requests or 256 MB in size,
// whichever is reached first"; results "available for 29 days after creation"; "charged at 50 %".
export const MAX_REQUESTS = 100_000
export const MAX_BYTES = 256 * 1024 * 1024
// API reference, `custom_id` (not in SDK 1.16's types, whose doc says only "must be unique").
export const CUSTOM_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/
// SDK 1.16, resources/messages/batches.d.ts, `MessageBatch.expires_at`.
export const PROCESSING_WINDOW_MS = 24 * 60 * 60 * 1000
export const RESULTS_AVAILABLE_MS = 29 * 24 * 60 * 60 * 1000
export const PRICE_FACTOR = 0.5
