export declare const CONFIGURATION_DOCS: string;
export declare function formatConfigurationDocs(rendered: string): Promise<string>;
export declare function staleConfigurationDocs(rendered: string, path?: string): Promise<string | null>;
