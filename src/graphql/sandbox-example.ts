import { DEMO_IDENTITY } from '../stores/index.js';

/** What Apollo Sandbox opens with outside production: a request that works as it is. */
export const SANDBOX_EXAMPLE = {
  document: `# Creates a recovery link for the demo identity of the embedded store.
mutation CreateRecoveryLink($input: CreateRecoveryLinkInput!) {
  createRecoveryLink(input: $input) {
    expiresAt
    recoveryLink
  }
}
`,
  variables: { input: { identityId: DEMO_IDENTITY.id, expiresIn: '1h' } },
} as const;
