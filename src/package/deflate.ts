import { extname } from 'node:path';

export const DEFLATE_LEVEL = 6; // zip's default

/** Already-compressed formats: deflating them again costs time and gains nothing. */
const STORED_EXTENSIONS = new Set(['.zip', '.gz', '.tgz', '.bz2', '.xz', '.zst', '.7z', '.jar', '.whl', '.egg', '.jpg', '.jpeg', '.png', '.gif', '.webp', '.mp3', '.mp4', '.woff', '.woff2', '.br']);

export function storedByName(name: string): boolean {
  return STORED_EXTENSIONS.has(extname(name).toLowerCase());
}
