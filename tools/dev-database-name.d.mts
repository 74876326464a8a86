export declare function devDatabaseName(checkoutPath: string): string;
