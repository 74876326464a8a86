import type { Duration } from '../../recovery/index.js';
import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { IdentityParent as IdentityModel } from '../unknown-identity.js';
import type { CreatedRecoveryLink as RecoveryLinkModel, CreatedRecoveryCode as RecoveryCodeModel, Redemption as RecoveryRedemptionModel, RecoveryEvent as RecoveryEventModel } from '../../recovery/index.js';
import type { GraphQLContext } from '../context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /**
   * A date-time string at UTC with millisecond precision, such as `2024-07-29T15:51:28.071Z`
   * (RFC 3339).
   */
  DateTime: { input: Date; output: Date; }
  /**
   * A Go duration string: a sequence of decimal numbers, each with an optional fraction
   * and a unit (`ns`, `us` or `µs`, `ms`, `s`, `m`, `h`), such as `30m`, `1h30m` or `1.5h`.
   */
  Duration: { input: Duration; output: Duration; }
  /** Arbitrary JSON object, such as an identity's traits. */
  JSONObject: { input: Readonly<Record<string, unknown>>; output: Readonly<Record<string, unknown>>; }
  /**
   * A Universally Unique Identifier, such as `3fa85f64-5717-4562-b3fc-2c963f66afa6`.
   * Accepted in any letter case; returned in lower case.
   */
  UUID: { input: string; output: string; }
  federation__FieldSet: { input: string; output: string; }
  federation__Scope: { input: string; output: string; }
  link__Import: { input: string; output: string; }
};

/** Input of createRecoveryCode. */
export type CreateRecoveryCodeInput = {
  /**
   * Code Expires In: the code will expire after that amount of time has passed. Defaults to
   * RECOVERY_CODE_LIFESPAN (15m unless set); must be at least 1ms and at most
   * RECOVERY_LINK_MAX_LIFESPAN (720h unless set), the bound of links and codes alike.
   */
  readonly expiresIn?: InputMaybe<Scalars['Duration']['input']>;
  /** Identity to Recover: the identity's ID you wish to recover. */
  readonly identityId: Scalars['UUID']['input'];
  /**
   * Return To: where the recovery page continues after the code is redeemed, with the
   * session token in the fragment (`#session_token=…`), instead of SETTINGS_UI_URL. The same
   * rules as createRecoveryLink's returnTo (RECOVERY_RETURN_TO_ALLOWLIST); anything else is
   * refused with `return_to_forbidden` (400), never silently dropped.
   */
  readonly returnTo?: InputMaybe<Scalars['String']['input']>;
};

/** Input of createRecoveryLink. */
export type CreateRecoveryLinkInput = {
  /**
   * Link Expires In: the recovery link will expire after that amount of time has passed.
   * Defaults to the configured lifespan (RECOVERY_LINK_LIFESPAN, 1h unless set); must be
   * at least 1ms and at most RECOVERY_LINK_MAX_LIFESPAN (720h unless set).
   */
  readonly expiresIn?: InputMaybe<Scalars['Duration']['input']>;
  /** Identity to Recover: the identity's ID you wish to recover. */
  readonly identityId: Scalars['UUID']['input'];
  /**
   * Return To: where the recovery page continues after the link is redeemed, with the
   * session token in the fragment (`#session_token=…`), instead of SETTINGS_UI_URL. An
   * absolute http(s) URL without credentials or fragment, at most 2048 characters, whose
   * origin (and path, on segment boundaries) is listed in RECOVERY_RETURN_TO_ALLOWLIST.
   * Anything else is refused with `return_to_forbidden` (400), never silently dropped.
   */
  readonly returnTo?: InputMaybe<Scalars['String']['input']>;
};

/**
 * An account whose recovery this service manages. An entity: other subgraphs (one that
 * owns email addresses, say) contribute their fields to the same Identity by its id.
 */
export type Identity = {
  readonly __typename?: 'Identity';
  /**
   * Active Recovery Links: how many of the identity's recovery links and recovery codes
   * (both count) are unused, unrevoked and unexpired right now.
   */
  readonly activeRecoveryLinks: Scalars['Int']['output'];
  /** When the identity was created, if recorded. */
  readonly createdAt?: Maybe<Scalars['DateTime']['output']>;
  /** Identity ID. */
  readonly id: Scalars['UUID']['output'];
  /** The ID of the identity schema its traits follow, if recorded. */
  readonly schemaId?: Maybe<Scalars['String']['output']>;
  /** Whether the identity can sign in and be recovered. */
  readonly state: IdentityState;
  /** The identity's traits (such as email or name), as stored. */
  readonly traits: Scalars['JSONObject']['output'];
  /** When the identity was last updated, if recorded. */
  readonly updatedAt?: Maybe<Scalars['DateTime']['output']>;
};

/** The state of an identity. */
export type IdentityState =
  /** The identity can sign in and be recovered. */
  | 'active'
  /** The identity is disabled: no recovery link is created for it. */
  | 'inactive';

export type Mutation = {
  readonly __typename?: 'Mutation';
  /**
   * Create a Recovery Code: creates a one-time code and a link to the page where the person
   * types it, to be given to them (the code can be read out over the phone). The link
   * carries no secret, so a mail scanner that opens it uses nothing up. Codes and links share
   * one lifecycle: a new code revokes the identity's older links and codes (unless
   * RECOVERY_LINK_KEEP_OLDER), and counts against the same per-identity rate limit. Fails with
   * NOT_FOUND (404) for an unknown identity, CONFLICT (409, `identity_disabled`) for an
   * inactive one, `rate_limited` (429) and `expires_in_out_of_range` (400).
   */
  readonly createRecoveryCode: RecoveryCode;
  /**
   * Create a Recovery Link: creates a recovery link which should be given to the user
   * in order for them to recover (or activate) their account. Each call creates a new
   * link. Fails with NOT_FOUND (404) for an unknown identity and CONFLICT (409,
   * `identity_disabled`) for an inactive one.
   */
  readonly createRecoveryLink: RecoveryLink;
  /**
   * Redeem a Recovery Code: exchanges the flow and code of a recovery code for the same
   * privileged session a link grants (`amr: ["recovery_code"]`). Works exactly once per code,
   * and revokes every other outstanding link and code of the identity. Each submission, right
   * or wrong, counts against RECOVERY_CODE_MAX_ATTEMPTS (5 unless set) before the code is
   * compared; past it the flow is dead, even for the right code. Public: the code is the
   * credential. Fails with `recovery_code_invalid` (400) for an unknown flow, a wrong code, a
   * used or revoked code, or a link's flow (one answer for all), `recovery_code_attempts_exhausted`
   * (410), `recovery_code_expired` (410), `identity_disabled` (409) or `identity_not_found` (404).
   */
  readonly redeemRecoveryCode: RecoveryRedemption;
  /**
   * Redeem a Recovery Link: exchanges the flow and token of a recovery link for a short-lived
   * privileged session, with which the person sets new credentials. Works exactly once per
   * link, and revokes every other outstanding link of the identity. Public: the token is the
   * credential. Fails with `recovery_link_invalid` (400) for an unknown flow, a wrong token,
   * or a used or revoked link (one answer for all four), `recovery_link_expired` (410),
   * `identity_disabled` (409) or `identity_not_found` (404).
   */
  readonly redeemRecoveryLink: RecoveryRedemption;
  /**
   * Revoke Recovery Links: makes every unused, unexpired recovery link and recovery code of
   * the identity unusable, and returns how many it revoked.
   */
  readonly revokeRecoveryLinks: Scalars['Int']['output'];
};


export type MutationCreateRecoveryCodeArgs = {
  input: CreateRecoveryCodeInput;
};


export type MutationCreateRecoveryLinkArgs = {
  input: CreateRecoveryLinkInput;
};


export type MutationRedeemRecoveryCodeArgs = {
  input: RedeemRecoveryCodeInput;
};


export type MutationRedeemRecoveryLinkArgs = {
  input: RedeemRecoveryLinkInput;
};


export type MutationRevokeRecoveryLinksArgs = {
  identityId: Scalars['UUID']['input'];
};

export type Query = {
  readonly __typename?: 'Query';
  /**
   * Identity: the identity with this ID, or null when there is none. Lets an admin
   * check whom a recovery link would be for, and whether the account is active.
   */
  readonly identity?: Maybe<Identity>;
  /**
   * Recovery Events: the identity's audit trail, newest first: links created, redeemed,
   * revoked, failed attempts and rate-limited requests. Never contains a token.
   */
  readonly recoveryEvents: ReadonlyArray<RecoveryEvent>;
};


export type QueryIdentityArgs = {
  id: Scalars['UUID']['input'];
};


export type QueryRecoveryEventsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  identityId: Scalars['UUID']['input'];
};

/** A recovery code for an identity, and the link to the page where it is typed. */
export type RecoveryCode = {
  readonly __typename?: 'RecoveryCode';
  /** Recovery Code Expires At: the timestamp when the code expires. */
  readonly expiresAt: Scalars['DateTime']['output'];
  /**
   * Recovery Code: the one-time code (8 digits). Shown only once and stored only as an HMAC;
   * give it to the person over a trusted channel.
   */
  readonly recoveryCode: Scalars['String']['output'];
  /** Recovery Link: the page where the person types the code, `<base>?flow=<flow id>`; it carries no secret. */
  readonly recoveryLink: Scalars['String']['output'];
};

/** Something that happened to an identity's recovery links and codes. */
export type RecoveryEvent = {
  readonly __typename?: 'RecoveryEvent';
  /** Who asked: `api_key:<key id>` or `jwt:<subject>` for admin operations, null for redemptions. */
  readonly actor?: Maybe<Scalars['String']['output']>;
  /** When it happened; for counted failures, the first time in their 15-minute window. */
  readonly at: Scalars['DateTime']['output'];
  /** The address the request came from. */
  readonly clientAddress?: Maybe<Scalars['String']['output']>;
  /** How many times: 1, except for failures, counted per who, identity tried, error and 15-minute window. */
  readonly count: Scalars['Int']['output'];
  /** For failed and rate-limited requests: the error id the caller received. */
  readonly errorId?: Maybe<Scalars['String']['output']>;
  /** The recovery flow concerned, when there is one. */
  readonly flowId?: Maybe<Scalars['UUID']['output']>;
  /** The identity concerned, when known (an unknown flow has none). */
  readonly identityId?: Maybe<Scalars['UUID']['output']>;
  /** Which kind of flow it concerned: a link or a code; null when no longer known (its flow was purged). */
  readonly method?: Maybe<RecoveryMethod>;
  /** The request id, as in the response's X-Request-Id and the logs. */
  readonly requestId: Scalars['String']['output'];
  /** What happened. */
  readonly type: RecoveryEventType;
};

/** The kinds of recovery events. */
export type RecoveryEventType =
  /** A recovery link or code was created. */
  | 'created'
  /** A creation or redemption was refused (see errorId). */
  | 'failed'
  /** Kept for existing clients; no longer recorded: a rate-limited request writes nothing (see the metrics). */
  | 'rate_limited'
  /** A recovery link or code was redeemed. */
  | 'redeemed'
  /** A recovery link or code was revoked, by an admin, by a newer link or code, or by a redemption. */
  | 'revoked';

/** A recovery link for an identity. */
export type RecoveryLink = {
  readonly __typename?: 'RecoveryLink';
  /** Recovery Link Expires At: the timestamp when the recovery link expires. */
  readonly expiresAt?: Maybe<Scalars['DateTime']['output']>;
  /**
   * Recovery Link: this link can be used to recover the account. It carries a secret
   * token, is shown only once, and should be sent to the person over a trusted channel.
   */
  readonly recoveryLink: Scalars['String']['output'];
};

/** How a recovery flow is redeemed. */
export type RecoveryMethod =
  /** With a one-time code typed on the page the link opens (createRecoveryCode). */
  | 'code'
  /** With the token inside the recovery link (createRecoveryLink). */
  | 'link';

/** A redeemed recovery link or code: a privileged session for setting new credentials. */
export type RecoveryRedemption = {
  readonly __typename?: 'RecoveryRedemption';
  /** Identity ID: the identity that was recovered. */
  readonly identityId: Scalars['UUID']['output'];
  /**
   * Return To: where to continue with the session, the returnTo the link was created with
   * (as normalized), while RECOVERY_RETURN_TO_ALLOWLIST still allows it; the session token
   * then carries it as its `return_to` claim. Null: continue to the settings UI.
   */
  readonly returnTo?: Maybe<Scalars['String']['output']>;
  /** Session Expires At: the timestamp after which the session token is no longer accepted. */
  readonly sessionExpiresAt: Scalars['DateTime']['output'];
  /**
   * Session Token: a JWT (claims `sub`, `amr: ["recovery_link"]` or `amr: ["recovery_code"]`,
   * `jti`, `iat`, `exp`, `iss`, and `return_to` when returnTo is not null) that the settings
   * service verifies before letting the person set new credentials.
   */
  readonly sessionToken: Scalars['String']['output'];
};

/** Input of redeemRecoveryCode. */
export type RedeemRecoveryCodeInput = {
  /** Recovery Code: the digits the person was given; spaces and dashes between them are ignored. */
  readonly code: Scalars['String']['input'];
  /** Recovery Flow ID: the `flow` parameter of the code's link. */
  readonly flow: Scalars['UUID']['input'];
};

/** Input of redeemRecoveryLink: the two query parameters of a recovery link. */
export type RedeemRecoveryLinkInput = {
  /** Recovery Flow ID: the `flow` parameter of the link. */
  readonly flow: Scalars['UUID']['input'];
  /** Recovery Token: the `token` parameter of the link. */
  readonly token: Scalars['String']['input'];
};



export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = {
  Identity: Identity;
};

/** Mapping of federation reference types */
export type FederationReferenceTypes = {
  Identity:
    ( { __typename: 'Identity' }
    & GraphQLRecursivePick<FederationTypes['Identity'], {"id":true}> );
};



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  CreateRecoveryCodeInput: CreateRecoveryCodeInput;
  CreateRecoveryLinkInput: CreateRecoveryLinkInput;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Duration: ResolverTypeWrapper<Scalars['Duration']['output']>;
  Identity: ResolverTypeWrapper<IdentityModel>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  IdentityState: null;
  JSONObject: ResolverTypeWrapper<Scalars['JSONObject']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  RecoveryCode: ResolverTypeWrapper<RecoveryCodeModel>;
  RecoveryEvent: ResolverTypeWrapper<RecoveryEventModel>;
  RecoveryEventType: null;
  RecoveryLink: ResolverTypeWrapper<RecoveryLinkModel>;
  RecoveryMethod: null;
  RecoveryRedemption: ResolverTypeWrapper<RecoveryRedemptionModel>;
  RedeemRecoveryCodeInput: RedeemRecoveryCodeInput;
  RedeemRecoveryLinkInput: RedeemRecoveryLinkInput;
  UUID: ResolverTypeWrapper<Scalars['UUID']['output']>;
  federation__FieldSet: ResolverTypeWrapper<Scalars['federation__FieldSet']['output']>;
  federation__Scope: ResolverTypeWrapper<Scalars['federation__Scope']['output']>;
  link__Import: ResolverTypeWrapper<Scalars['link__Import']['output']>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  CreateRecoveryCodeInput: CreateRecoveryCodeInput;
  CreateRecoveryLinkInput: CreateRecoveryLinkInput;
  DateTime: Scalars['DateTime']['output'];
  Duration: Scalars['Duration']['output'];
  Identity: IdentityModel;
  Int: Scalars['Int']['output'];
  JSONObject: Scalars['JSONObject']['output'];
  Mutation: Record<PropertyKey, never>;
  Query: Record<PropertyKey, never>;
  RecoveryCode: RecoveryCodeModel;
  RecoveryEvent: RecoveryEventModel;
  RecoveryLink: RecoveryLinkModel;
  RecoveryRedemption: RecoveryRedemptionModel;
  RedeemRecoveryCodeInput: RedeemRecoveryCodeInput;
  RedeemRecoveryLinkInput: RedeemRecoveryLinkInput;
  UUID: Scalars['UUID']['output'];
  federation__FieldSet: Scalars['federation__FieldSet']['output'];
  federation__Scope: Scalars['federation__Scope']['output'];
  link__Import: Scalars['link__Import']['output'];
  Boolean: Scalars['Boolean']['output'];
  String: Scalars['String']['output'];
};

export type LinkDirectiveArgs = {
  as?: Maybe<Scalars['String']['input']>;
  import?: Maybe<ReadonlyArray<Maybe<Scalars['link__Import']['input']>>>;
  url: Scalars['String']['input'];
};

export type LinkDirectiveResolver<Result, Parent, ContextType = GraphQLContext, Args = LinkDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type RequiresScopesDirectiveArgs = {
  scopes: ReadonlyArray<ReadonlyArray<Scalars['federation__Scope']['input']>>;
};

export type RequiresScopesDirectiveResolver<Result, Parent, ContextType = GraphQLContext, Args = RequiresScopesDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type ShareableDirectiveArgs = { };

export type ShareableDirectiveResolver<Result, Parent, ContextType = GraphQLContext, Args = ShareableDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type TagDirectiveArgs = {
  name: Scalars['String']['input'];
};

export type TagDirectiveResolver<Result, Parent, ContextType = GraphQLContext, Args = TagDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export interface DurationScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Duration'], any> {
  name: 'Duration';
}

export type IdentityResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Identity'] = ResolversParentTypes['Identity'], FederationReferenceType extends FederationReferenceTypes['Identity'] = FederationReferenceTypes['Identity']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Identity']> | FederationReferenceType, FederationReferenceType, ContextType>;
  activeRecoveryLinks?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  createdAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['UUID'], ParentType, ContextType>;
  schemaId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  state?: Resolver<ResolversTypes['IdentityState'], ParentType, ContextType>;
  traits?: Resolver<ResolversTypes['JSONObject'], ParentType, ContextType>;
  updatedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
};

export type IdentityStateResolvers = { ACTIVE: 'active', INACTIVE: 'inactive' };

export interface JsonObjectScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSONObject'], any> {
  name: 'JSONObject';
}

export type MutationResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  createRecoveryCode?: Resolver<ResolversTypes['RecoveryCode'], ParentType, ContextType, RequireFields<MutationCreateRecoveryCodeArgs, 'input'>>;
  createRecoveryLink?: Resolver<ResolversTypes['RecoveryLink'], ParentType, ContextType, RequireFields<MutationCreateRecoveryLinkArgs, 'input'>>;
  redeemRecoveryCode?: Resolver<ResolversTypes['RecoveryRedemption'], ParentType, ContextType, RequireFields<MutationRedeemRecoveryCodeArgs, 'input'>>;
  redeemRecoveryLink?: Resolver<ResolversTypes['RecoveryRedemption'], ParentType, ContextType, RequireFields<MutationRedeemRecoveryLinkArgs, 'input'>>;
  revokeRecoveryLinks?: Resolver<ResolversTypes['Int'], ParentType, ContextType, RequireFields<MutationRevokeRecoveryLinksArgs, 'identityId'>>;
};

export type QueryResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  identity?: Resolver<Maybe<ResolversTypes['Identity']>, ParentType, ContextType, RequireFields<QueryIdentityArgs, 'id'>>;
  recoveryEvents?: Resolver<ReadonlyArray<ResolversTypes['RecoveryEvent']>, ParentType, ContextType, RequireFields<QueryRecoveryEventsArgs, 'first' | 'identityId'>>;
};

export type RecoveryCodeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RecoveryCode'] = ResolversParentTypes['RecoveryCode']> = {
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  recoveryCode?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  recoveryLink?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type RecoveryEventResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RecoveryEvent'] = ResolversParentTypes['RecoveryEvent']> = {
  actor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  clientAddress?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  errorId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  flowId?: Resolver<Maybe<ResolversTypes['UUID']>, ParentType, ContextType>;
  identityId?: Resolver<Maybe<ResolversTypes['UUID']>, ParentType, ContextType>;
  method?: Resolver<Maybe<ResolversTypes['RecoveryMethod']>, ParentType, ContextType>;
  requestId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  type?: Resolver<ResolversTypes['RecoveryEventType'], ParentType, ContextType>;
};

export type RecoveryEventTypeResolvers = { CREATED: 'created', FAILED: 'failed', RATE_LIMITED: 'rate_limited', REDEEMED: 'redeemed', REVOKED: 'revoked' };

export type RecoveryLinkResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RecoveryLink'] = ResolversParentTypes['RecoveryLink']> = {
  expiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  recoveryLink?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type RecoveryMethodResolvers = { CODE: 'code', LINK: 'link' };

export type RecoveryRedemptionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RecoveryRedemption'] = ResolversParentTypes['RecoveryRedemption']> = {
  identityId?: Resolver<ResolversTypes['UUID'], ParentType, ContextType>;
  returnTo?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  sessionExpiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  sessionToken?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export interface UuidScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['UUID'], any> {
  name: 'UUID';
}

export interface Federation__FieldSetScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['federation__FieldSet'], any> {
  name: 'federation__FieldSet';
}

export interface Federation__ScopeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['federation__Scope'], any> {
  name: 'federation__Scope';
}

export interface Link__ImportScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['link__Import'], any> {
  name: 'link__Import';
}

export type Resolvers<ContextType = GraphQLContext> = {
  DateTime?: GraphQLScalarType;
  Duration?: GraphQLScalarType;
  Identity?: IdentityResolvers<ContextType>;
  IdentityState?: IdentityStateResolvers;
  JSONObject?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  RecoveryCode?: RecoveryCodeResolvers<ContextType>;
  RecoveryEvent?: RecoveryEventResolvers<ContextType>;
  RecoveryEventType?: RecoveryEventTypeResolvers;
  RecoveryLink?: RecoveryLinkResolvers<ContextType>;
  RecoveryMethod?: RecoveryMethodResolvers;
  RecoveryRedemption?: RecoveryRedemptionResolvers<ContextType>;
  UUID?: GraphQLScalarType;
  federation__FieldSet?: GraphQLScalarType;
  federation__Scope?: GraphQLScalarType;
  link__Import?: GraphQLScalarType;
};

export type DirectiveResolvers<ContextType = GraphQLContext> = {
  link?: LinkDirectiveResolver<any, any, ContextType>;
  requiresScopes?: RequiresScopesDirectiveResolver<any, any, ContextType>;
  shareable?: ShareableDirectiveResolver<any, any, ContextType>;
  tag?: TagDirectiveResolver<any, any, ContextType>;
};
