export default async function globalTeardown() {
  await globalThis.__heimdallTestPostgres?.stop();
}
