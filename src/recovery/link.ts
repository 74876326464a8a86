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

/**
 * Builds `<base>?flow=<flow id>`: the link of a code flow carries no secret, so a mail
 * scanner that opens it burns nothing, and the person types the code on the page.
 */
export function buildRecoveryFlowLink(baseUrl: URL, flowId: string): string {
  const link = new URL(baseUrl);
  link.searchParams.set('flow', flowId);
  return link.toString();
}
