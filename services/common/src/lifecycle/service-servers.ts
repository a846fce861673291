import type Koa from 'koa';
import type { SharedConfig } from '../config/shared-config.js';
import { createManagementApp, type ManagementAppOptions } from '../http/management-app.js';
import type { ServiceHttpOptions } from '../http/openapi-app.js';
import { listen, type RunningServer } from './http-server.js';

/** A service's listeners: the API on PORT and, with MANAGEMENT_PORT, probes and metrics apart. */
export interface ServiceServers {
  api: RunningServer;
  management: RunningServer | undefined;
  /** Where /metrics is served. */
  metricsUrl: string;
  close(): Promise<void>;
}

/** What a service's settings decide about its API's HTTP stack; /metrics moves with MANAGEMENT_PORT. */
export function serviceHttpOptions(
  config: Pick<SharedConfig, 'trustProxyHops' | 'databaseTimeoutMs' | 'managementPort'>,
): ServiceHttpOptions {
  return {
    trustProxyHops: config.trustProxyHops,
    databaseTimeoutMs: config.databaseTimeoutMs,
    serveMetrics: config.managementPort === undefined,
  };
}

/** Starts the service's public listener and, when MANAGEMENT_PORT is set, its management one. */
export async function listenService(
  api: Koa,
  config: Pick<SharedConfig, 'port' | 'host' | 'managementPort' | 'http' | 'databaseTimeoutMs'>,
  management: Omit<ManagementAppOptions, 'databaseTimeoutMs'>,
): Promise<ServiceServers> {
  const apiServer = await listen(api, config.port, config.host, config.http);
  const managementServer =
    config.managementPort === undefined
      ? undefined
      : await listen(
          createManagementApp({ ...management, databaseTimeoutMs: config.databaseTimeoutMs }),
          config.managementPort,
          config.host,
          config.http,
        ).catch(async (err: unknown) => {
          await apiServer.close();
          throw err;
        });
  return {
    api: apiServer,
    management: managementServer,
    metricsUrl: `${(managementServer ?? apiServer).url}/metrics`,
    close: async () => {
      await apiServer.close();
      await managementServer?.close();
    },
  };
}
