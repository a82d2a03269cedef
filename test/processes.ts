// Real server processes for the tests that need them (a crash, several servers on one database),
// and a small HTTP client with a cookie jar that logs in and posts forms as a browser would.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../scripts/postgres.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, seconds = 90): Promise<T> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const result = await check().catch(() => undefined);
    if (result) return result;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface ServerProcess {
  base: string;
  child: ChildProcess;
  /** What it wrote to stdout and stderr (JSON log lines). */
  output(): string;
  /** SIGKILL, as a crash; resolves when the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, as a deploy; resolves when the process is gone. */
  stop(): Promise<void>;
}

/** Starts `hromada serve --demo` with `env` and waits until it answers /readyz. */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/hromada.js'), 'serve', '--demo'], {
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const server = { base, child, output: () => output, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
  try {
    await waitFor(`the server on port ${port}`, async () => (await fetch(`${base}/readyz`)).ok, 240);
  } catch (error) {
    await server.kill();
    throw new Error(`${(error as Error).message}\n${output.slice(-3000)}`);
  }
  return server;
}

/** A browser's cookie jar, enough for a login and a form post. */
export class Jar {
  cookies = new Map<string, string>();
  take(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      this.cookies.set(name!.trim(), value.join('='));
    }
  }
  get header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Opens a page and returns the CSRF token of its form. */
  async csrf(url: string): Promise<string> {
    const page = await fetch(url, { headers: { cookie: this.header } });
    this.take(page);
    return /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  }

  async post(url: string, fields: Record<string, string> | FormData): Promise<Response> {
    const form = fields instanceof FormData;
    const response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: form
        ? { cookie: this.header }
        : { cookie: this.header, 'content-type': 'application/x-www-form-urlencoded' },
      body: form ? fields : new URLSearchParams(fields),
    });
    this.take(response);
    return response;
  }

  /** Logs in through the login form of the server at `base`; returns the response's status. */
  async login(base: string, email: string, password: string): Promise<number> {
    const token = await this.csrf(`${base}/login`);
    return (await this.post(`${base}/login`, { _csrf: token, email, password })).status;
  }

  /** Uploads a CSV to a dataset through its upload form; returns the new resource's id. */
  async uploadCsv(base: string, dataset: string, fileName: string, csv: string): Promise<string> {
    const form = new FormData();
    form.append('_csrf', await this.csrf(`${base}/datasets/${dataset}/resources/upload`));
    form.append('name', fileName);
    form.append('file', new Blob([csv]), fileName);
    const response = await this.post(`${base}/datasets/${dataset}/resources/upload`, form);
    if (response.status !== 303) throw new Error(`upload answered ${response.status}: ${await response.text()}`);
    return /resources\/([0-9a-f-]{36})$/.exec(response.headers.get('location')!)![1]!;
  }
}
