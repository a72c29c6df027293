/** The ZAF client surface the app uses (https://developer.zendesk.com/api-reference/apps/apps-core-api/client_api/). */
export interface ZafRequestOptions {
  url: string;
  type?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  contentType?: string;
  data?: string;
  secure?: boolean;
  headers?: Record<string, string>;
  jwt?: { algorithm: 'HS256'; secret_key: string; expiry?: number; claims?: Record<string, unknown> };
  httpCompleteResponse?: boolean;
  cors?: boolean;
}

export interface ZafContext {
  location: string;
  instanceGuid?: string;
  product?: string;
  ticketId?: number;
  account?: { subdomain?: string };
}

export interface ZafMetadata {
  appId?: number;
  installationId?: number;
  name?: string;
  settings: Record<string, unknown>;
}

export interface ZafClient {
  on(event: string, handler: (data: unknown) => void): void;
  get(path: string | string[]): Promise<Record<string, unknown>>;
  invoke(name: string, ...args: unknown[]): Promise<unknown>;
  request<T = unknown>(options: ZafRequestOptions): Promise<T>;
  metadata(): Promise<ZafMetadata>;
  context(): Promise<ZafContext>;
}
