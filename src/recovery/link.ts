/**
 * Builds `<base>?flow=<flow id>&token=<token>`. Going through URL keeps any query
 * string the base already carries (a tenant or locale parameter, say) and encodes
 * the values, so a base URL can never be broken by what is appended to it.
 */
export function buildRecoveryLink(baseUrl: URL, flowId: string, token: string): string {
  const link = new URL(baseUrl);
  link.searchParams.set('flow', flowId);
  link.searchParams.set('token', token);
  return link.toString();
}
