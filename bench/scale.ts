// `npm run bench:scale`: the city list page from two servers on one PostgreSQL behind a load
// balancer, against one server behind the same balancer, in the same run. The balancer is a
// round-robin TCP proxy (one backend per client connection), in its own process like haproxy.
// On this 2-core machine the servers, the balancer, the load generator and PostgreSQL share two
// cores, so the figure shows what a second server costs and that it works, not how it scales.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { startPostgres } from '../scripts/postgres.ts';
import { startServer, stopServer } from './support.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = 50;

if (process.argv[2] === 'balancer') {
  // The balancer process: BALANCER_PORT → BACKENDS (comma-separated ports), round robin.
  const backends = process.env.BACKENDS!.split(',').map(Number);
  let next = 0;
  net
    .createServer((client) => {
      const port = backends[next++ % backends.length]!;
      const server = net.connect(port, '127.0.0.1');
      client.pipe(server).pipe(client);
      const close = () => {
        client.destroy();
        server.destroy();
      };
      client.on('error', close);
      server.on('error', close);
    })
    .listen(Number(process.env.BALANCER_PORT), '127.0.0.1');
} else {
  await main();
}

async function balancer(port: number, backends: number[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [import.meta.filename, 'balancer'], {
    env: { ...process.env, BALANCER_PORT: String(port), BACKENDS: backends.join(',') },
    stdio: 'inherit',
  });
  for (let i = 0; i < 50; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the balancer did not start');
}

async function measure(url: string) {
  await autocannon({ url, connections: 10, duration: 2 });
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

async function main() {
  const postgres = await startPostgres();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-scale-'));
  const env = {
    DATABASE_URL: postgres.url,
    HROMADA_DATA_DIR: dataDir,
    HROMADA_SECRET: 'bench',
    FILE_STORAGE: 'postgres',
    API_RATE_LIMIT_ANONYMOUS: '100000000',
  };
  const servers: ChildProcess[] = [];
  const lines: string[] = [];
  try {
    servers.push(await startServer(3931, env));
    servers.push(await startServer(3932, env));
    for (const backends of [[3931], [3931, 3932]]) {
      const lb = await balancer(3930, backends);
      try {
        for (const [target, url] of [
          ['city list page', '/cities'],
          ['GET /api/v1/cities', '/api/v1/cities'],
        ] as const) {
          const r = await measure(`http://127.0.0.1:3930${url}`);
          lines.push(
            `${backends.length} server(s)  ${target.padEnd(20)} ${r.rps.toFixed(0).padStart(7)} req/s  p99 ${r.p99} ms  errors ${r.errors}`,
          );
        }
      } finally {
        lb.kill();
        await new Promise((resolve) => lb.once('exit', resolve));
      }
    }
  } finally {
    for (const server of servers) await stopServer(server);
    postgres.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(
    `\nHromada behind a load balancer — ${CONNECTIONS} connections, ${DURATION} s, ${os.cpus().length} cores\n`,
  );
  for (const line of lines) console.log(line);
  const rps = lines.map((l) => Number(/(\d+) req\/s/.exec(l)![1]));
  console.log(
    `\n2 servers / 1 server: page ${(rps[2]! / rps[0]!).toFixed(2)}x, API ${(rps[3]! / rps[1]!).toFixed(2)}x`,
  );
}
