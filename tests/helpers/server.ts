// The test app listening on an ephemeral local port, for tests that need a real HTTP server (browsers).
import type { Server } from "node:http";
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
