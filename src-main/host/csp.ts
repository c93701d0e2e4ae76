// The Content-Security-Policy of the page, the same in the browser host and the Electron window:
// our own scripts only, no eval, no remote anything. Inline styles stay allowed because Svelte sets
// style attributes at run time.
export const HOST_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
