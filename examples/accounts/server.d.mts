export interface Account {
  readonly id: string;
  readonly email: string;
}

export declare const DEMO_ACCOUNTS: readonly Account[];

export declare function startAccountsSubgraph(options?: {
  readonly accounts?: readonly Account[];
  readonly port?: number;
  readonly host?: string;
}): Promise<{ readonly url: string; stop(): Promise<void> }>;
