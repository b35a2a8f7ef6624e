import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (process.env.LCI_TEST_LOADED) appendFileSync(process.env.LCI_TEST_LOADED, `${resolved.url}\n`);
  return resolved;
}
