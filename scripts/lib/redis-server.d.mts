export function freePort(): Promise<number>;
export interface PrivateRedis {
  port: number;
  url: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
  restart(): Promise<void>;
}
export function startRedis(options?: {
  port?: number;
  detached?: boolean;
  args?: string[];
}): Promise<PrivateRedis>;
