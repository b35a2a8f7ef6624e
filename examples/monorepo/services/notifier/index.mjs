export const handler = async (event) => {
  for (const record of event.Records ?? []) console.log('notify', record.Sns?.Message);
  return { delivered: event.Records?.length ?? 0 };
};
