import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(port: number, url: string, headers: Record<string, string> = {}, agent?: http.Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: url, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on("error", reject);
  });
}

/** Whether something still accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("npm start (the tsc build in dist/)", () => {
  let dir: string;
  let child: ChildProcess;
  let output = "";
  let exited: Promise<number | null>;
  let port: number;

  before(async function () {
    this.timeout(180_000);
    // What `npm install` does through the prepare script; incremental, so quick when dist/ is current.
    try {
      execFileSync("npm", ["run", "build", "--silent"], { stdio: "pipe" });
    } catch (err) {
      throw new Error(`npm run build failed:\n${String((err as { stdout?: Buffer }).stdout)}`, { cause: err });
    }
    dir = mkdtempSync(path.join(os.tmpdir(), "xinyong-main-"));
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", DATA_DIR: dir, LOG_LEVEL: "info", DEMO_SEED: "0" };
    delete env.DATABASE_URL; // its own embedded database under DATA_DIR
    delete env.SESSION_SECRET;
    delete env.NODE_OPTIONS; // no tsx loader: the build must run on plain node
    // Exactly what a person types: signals go to npm, which must hand them to the server.
    child = spawn("npm", ["start"], { env, stdio: ["ignore", "pipe", "pipe"] });
    exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    port = await new Promise<number>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString("utf8");
        const m = /已启动：http:\/\/localhost:(\d+)/.exec(output);
        if (m) resolve(Number(m[1]));
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      void exited.then((code) => reject(new Error(`server exited (${code}) before starting:\n${output}`)));
    });
  });

  after(() => {
    if (child?.exitCode === null) child.kill("SIGKILL");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs node on the build, not tsx over the sources", () => {
    assert.match(output, /exec node dist\/server\/main\.js/);
    assert.doesNotMatch(output, /tsx/);
  });

  it("names assets by content hash, serves them compressed and immutable for a year, and never caches pages", async () => {
    const page = await get(port, "/", { "Accept-Encoding": "gzip, deflate, br" });
    assert.equal(page.status, 200);
    assert.equal(page.headers["content-encoding"], "br");
    assert.equal(page.headers["cache-control"], "no-store");
    const login = await get(port, "/login", { "Accept-Encoding": "gzip" });
    assert.equal(login.headers["content-encoding"], "gzip");
    assert.equal(login.headers["cache-control"], "no-store");

    const html = (await get(port, "/")).body.toString("utf8");
    const script = /src="(\/vendor\/bootstrap\/js\/bootstrap\.bundle\.min\.js\?v=[0-9a-f]{12})"/.exec(html)?.[1];
    const style = /href="(\/vendor\/bootstrap\/css\/bootstrap\.min\.css\?v=[0-9a-f]{12})"/.exec(html)?.[1];
    assert.ok(script && style, "the page names its script and stylesheet with a content hash");
    for (const url of [script, style]) {
      const asset = await get(port, url, { "Accept-Encoding": "gzip, br" });
      assert.equal(asset.status, 200);
      assert.equal(asset.headers["content-encoding"], "br", url);
      assert.equal(asset.headers["cache-control"], "public, max-age=31536000, immutable", url);
      assert.match(String(asset.headers.vary), /Accept-Encoding/);
    }
    // The same file without its hash (or with a stale one) may change at any time: not immutable.
    for (const url of ["/assets/css/app.css", "/assets/css/app.css?v=000000000000"]) {
      const plain = await get(port, url);
      assert.equal(plain.status, 200);
      assert.doesNotMatch(String(plain.headers["cache-control"]), /immutable/, url);
    }
  });

  it("answers a hashed file from its best compression once made: the same bytes, an ETag, 304 when unchanged", async function () {
    this.timeout(60_000);
    const html = (await get(port, "/")).body.toString("utf8");
    const url = /href="(\/vendor\/bootstrap\/css\/bootstrap\.min\.css\?v=[0-9a-f]{12})"/.exec(html)?.[1];
    assert.ok(url);
    const file = readFileSync("node_modules/bootstrap/dist/css/bootstrap.min.css");
    // The first answers are compressed on the fly (chunked) while the best compression is made in the background.
    let answer = await get(port, url, { "Accept-Encoding": "br" });
    for (let i = 0; i < 300 && !answer.headers["content-length"]; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await get(port, url, { "Accept-Encoding": "br" });
    }
    assert.ok(answer.headers["content-length"], "the precompressed answer came");
    assert.equal(answer.headers["content-encoding"], "br");
    assert.equal(answer.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.ok(zlib.brotliDecompressSync(answer.body).equals(file), "the bytes of the file");
    assert.ok(answer.body.length < file.length / 5);
    const etag = String(answer.headers.etag);
    assert.equal((await get(port, url, { "Accept-Encoding": "br", "If-None-Match": etag })).status, 304);
    const gz = await get(port, url, { "Accept-Encoding": "gzip" });
    assert.equal(gz.headers["content-encoding"], "gzip");
    assert.ok(zlib.gunzipSync(gz.body).equals(file));
    // No Accept-Encoding: the plain file.
    const plain = await get(port, url);
    assert.equal(plain.headers["content-encoding"], undefined);
    assert.ok(plain.body.equals(file));
  });

  it("on SIGTERM to the npm process closes kept-alive connections, frees the port and exits 0", async function () {
    this.timeout(60_000);
    // A kept-alive connection stays open after its request: shutdown must not wait for it forever.
    const agent = new http.Agent({ keepAlive: true });
    assert.equal((await get(port, "/healthz", {}, agent)).status, 200);
    child.kill("SIGTERM");
    const code = await exited;
    agent.destroy();
    assert.equal(code, 0, output);
    assert.match(output, /"msg":"stopped"/);
    assert.equal(await listening(port), false, "nothing listens on the port after npm start was stopped");
  });
});
