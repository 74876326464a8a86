/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Input of createRecoveryCode. */
export type CreateRecoveryCodeInput = {
  /**
   * Code Expires In: the code will expire after that amount of time has passed. Defaults to
   * RECOVERY_CODE_LIFESPAN (15m unless set); must be at least 1ms and at most
   * RECOVERY_LINK_MAX_LIFESPAN (720h unless set), the bound of links and codes alike.
   */
  expiresIn?: string | null | undefined;
  /** Identity to Recover: the identity's ID you wish to recover. */
  identityId: string;
  /**
   * Return To: where the recovery page continues after the code is redeemed, with the
   * session token in the fragment (`#session_token=…`), instead of SETTINGS_UI_URL. The same
   * rules as createRecoveryLink's returnTo (RECOVERY_RETURN_TO_ALLOWLIST); anything else is
   * refused with `return_to_forbidden` (400), never silently dropped.
   */
  returnTo?: string | null | undefined;
};

/** Input of createRecoveryLink. */
export type CreateRecoveryLinkInput = {
  /**
   * Link Expires In: the recovery link will expire after that amount of time has passed.
   * Defaults to the configured lifespan (RECOVERY_LINK_LIFESPAN, 1h unless set); must be
   * at least 1ms and at most RECOVERY_LINK_MAX_LIFESPAN (720h unless set).
   */
  expiresIn?: string | null | undefined;
  /** Identity to Recover: the identity's ID you wish to recover. */
  identityId: string;
  /**
   * Return To: where the recovery page continues after the link is redeemed, with the
   * session token in the fragment (`#session_token=…`), instead of SETTINGS_UI_URL. An
   * absolute http(s) URL without credentials or fragment, at most 2048 characters, whose
   * origin (and path, on segment boundaries) is listed in RECOVERY_RETURN_TO_ALLOWLIST.
   * Anything else is refused with `return_to_forbidden` (400), never silently dropped.
   */
  returnTo?: string | null | undefined;
};

/** The state of an identity. */
export type IdentityState =
  /** The identity can sign in and be recovered. */
  | 'ACTIVE'
  /** The identity is disabled: no recovery link is created for it. */
  | 'INACTIVE';

/** The kinds of recovery events. */
export type RecoveryEventType =
  /** A recovery link or code was created. */
  | 'CREATED'
  /** A creation or redemption was refused (see errorId). */
  | 'FAILED'
  /** Kept for existing clients; no longer recorded: a rate-limited request writes nothing (see the metrics). */
  | 'RATE_LIMITED'
  /** A recovery link or code was redeemed. */
  | 'REDEEMED'
  /** A recovery link or code was revoked, by an admin, by a newer link or code, or by a redemption. */
  | 'REVOKED';

/** Input of redeemRecoveryCode. */
export type RedeemRecoveryCodeInput = {
  /** Recovery Code: the digits the person was given; spaces and dashes between them are ignored. */
  code: string;
  /** Recovery Flow ID: the `flow` parameter of the code's link. */
  flow: string;
};

/** Input of redeemRecoveryLink: the two query parameters of a recovery link. */
export type RedeemRecoveryLinkInput = {
  /** Recovery Flow ID: the `flow` parameter of the link. */
  flow: string;
  /** Recovery Token: the `token` parameter of the link. */
  token: string;
};

export type CreateRecoveryCodeMutationVariables = Exact<{
  input: CreateRecoveryCodeInput;
}>;


export type CreateRecoveryCodeMutation = { createRecoveryCode: { expiresAt: string, recoveryLink: string, recoveryCode: string } };

export type CreateRecoveryLinkMutationVariables = Exact<{
  input: CreateRecoveryLinkInput;
}>;


export type CreateRecoveryLinkMutation = { createRecoveryLink: { expiresAt: string | null, recoveryLink: string } };

export type IdentityQueryVariables = Exact<{
  id: string;
}>;


export type IdentityQuery = { identity: { id: string, state: IdentityState, schemaId: string | null, traits: Record<string, unknown>, createdAt: string | null, updatedAt: string | null, activeRecoveryLinks: number } | null };

export type RecoveryEventsQueryVariables = Exact<{
  identityId: string;
  first?: number | null | undefined;
}>;


export type RecoveryEventsQuery = { recoveryEvents: Array<{ type: RecoveryEventType, flowId: string | null, errorId: string | null, actor: string | null, requestId: string, clientAddress: string | null, at: string }> };

export type RedeemRecoveryCodeMutationVariables = Exact<{
  input: RedeemRecoveryCodeInput;
}>;


export type RedeemRecoveryCodeMutation = { redeemRecoveryCode: { identityId: string, sessionToken: string, sessionExpiresAt: string, returnTo: string | null } };

export type RedeemRecoveryLinkMutationVariables = Exact<{
  input: RedeemRecoveryLinkInput;
}>;


export type RedeemRecoveryLinkMutation = { redeemRecoveryLink: { identityId: string, sessionToken: string, sessionExpiresAt: string, returnTo: string | null } };

export type RevokeRecoveryLinksMutationVariables = Exact<{
  identityId: string;
}>;


export type RevokeRecoveryLinksMutation = { revokeRecoveryLinks: number };


export const CreateRecoveryCodeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateRecoveryCode"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateRecoveryCodeInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createRecoveryCode"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"recoveryLink"}},{"kind":"Field","name":{"kind":"Name","value":"recoveryCode"}}]}}]}}]} as unknown as DocumentNode<CreateRecoveryCodeMutation, CreateRecoveryCodeMutationVariables>;
export const CreateRecoveryLinkDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateRecoveryLink"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateRecoveryLinkInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createRecoveryLink"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"recoveryLink"}}]}}]}}]} as unknown as DocumentNode<CreateRecoveryLinkMutation, CreateRecoveryLinkMutationVariables>;
export const IdentityDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Identity"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"identity"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"schemaId"}},{"kind":"Field","name":{"kind":"Name","value":"traits"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"activeRecoveryLinks"}}]}}]}}]} as unknown as DocumentNode<IdentityQuery, IdentityQueryVariables>;
export const RecoveryEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"RecoveryEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"identityId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recoveryEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"identityId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"identityId"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"flowId"}},{"kind":"Field","name":{"kind":"Name","value":"errorId"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"clientAddress"}},{"kind":"Field","name":{"kind":"Name","value":"at"}}]}}]}}]} as unknown as DocumentNode<RecoveryEventsQuery, RecoveryEventsQueryVariables>;
export const RedeemRecoveryCodeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RedeemRecoveryCode"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RedeemRecoveryCodeInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"redeemRecoveryCode"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"identityId"}},{"kind":"Field","name":{"kind":"Name","value":"sessionToken"}},{"kind":"Field","name":{"kind":"Name","value":"sessionExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"returnTo"}}]}}]}}]} as unknown as DocumentNode<RedeemRecoveryCodeMutation, RedeemRecoveryCodeMutationVariables>;
export const RedeemRecoveryLinkDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RedeemRecoveryLink"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RedeemRecoveryLinkInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"redeemRecoveryLink"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"identityId"}},{"kind":"Field","name":{"kind":"Name","value":"sessionToken"}},{"kind":"Field","name":{"kind":"Name","value":"sessionExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"returnTo"}}]}}]}}]} as unknown as DocumentNode<RedeemRecoveryLinkMutation, RedeemRecoveryLinkMutationVariables>;
export const RevokeRecoveryLinksDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeRecoveryLinks"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"identityId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UUID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeRecoveryLinks"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"identityId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"identityId"}}}]}]}}]} as unknown as DocumentNode<RevokeRecoveryLinksMutation, RevokeRecoveryLinksMutationVariables>;