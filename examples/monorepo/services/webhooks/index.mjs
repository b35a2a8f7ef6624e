import common from '@acme/js-common';

export const handler = async (event) => {
  const ok = common.signature(process.env.WEBHOOK_SECRET ?? '', event.body ?? '') === event.headers?.['x-signature'];
  return { statusCode: ok ? 202 : 401 };
};
