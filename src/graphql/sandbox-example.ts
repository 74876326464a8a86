/**
 * What Apollo Sandbox opens with outside production: a request that works as it is. The
 * wiring passes the embedded store's demo identity in, so this layer needs no storage.
 */
export function sandboxExample(demoIdentityId: string) {
  return {
    document: `# Creates a recovery link for the demo identity of the embedded store.
mutation CreateRecoveryLink($input: CreateRecoveryLinkInput!) {
  createRecoveryLink(input: $input) {
    expiresAt
    recoveryLink
  }
}
`,
    variables: { input: { identityId: demoIdentityId, expiresIn: '1h' } },
  } as const;
}
