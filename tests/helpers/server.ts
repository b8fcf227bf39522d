// The test app listening on an ephemeral local port, for tests that need a real HTTP server (browsers).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestApp, type TestApp } from "./app.ts";

export type TestServer = TestApp & {
  /** http://127.0.0.1:<port>, without a trailing slash. */
  baseUrl: string;
  server: Server;
};

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const testApp = await createTestApp(env);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = testApp.app.listen(0, "127.0.0.1", (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    ...testApp,
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      await testApp.close();
    },
  };
}

/**
 * Like startTestServer, but BASE_URL is the server's own address, so the links in e-mails, SMS and letters lead
 * back to it. The port is taken before the app exists (the config is frozen at creation): the listening
 * server hands each request to the app once it is there, so no port is probed and given up in between.
 */
export async function startTestServerAtBaseUrl(env: Record<string, string> = {}): Promise<TestServer> {
  let app: TestApp["app"] | undefined;
  const server = createServer((req, res) => {
    if (app) return app(req, res);
    res.statusCode = 503;
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  let testApp: TestApp;
  try {
    testApp = await createTestApp({ ...env, BASE_URL: baseUrl });
  } catch (err) {
    server.close();
    throw err;
  }
  app = testApp.app;
  return {
    ...testApp,
    server,
    baseUrl,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      await testApp.close();
    },
  };
}
