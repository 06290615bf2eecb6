// Cache policy shared with the CDN: content-hashed assets never change, HTML always revalidates.
const hashed = /\.[0-9a-f]{8,}\.(js|css|svg|png|woff2)$/;

export function cacheControlFor(filePath: string): string {
  if (hashed.test(filePath)) {
    return "public, max-age=31536000, immutable";
  }
  if (filePath.endsWith(".html")) {
    return "no-cache";
  }
  return "public, max-age=300";
}
