import { request } from "node:http";

/** One HTTP exchange with node:http (fetch cannot choose the local address). */
function send(url: URL, o: { method: string; headers: Record<string, string>; body: string | Buffer | undefined; localAddress: string | undefined }) {
  return new Promise<{ status: number; headers: Headers; text: string }>((resolve, reject) => {
    const req = request(url, { method: o.method, headers: { ...o.headers, ...(o.body !== undefined ? { "content-length": String(Buffer.byteLength(o.body)) } : {}) }, localAddress: o.localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          for (const value of Array.isArray(v) ? v : v === undefined ? [] : [v]) headers.append(k, value);
        }
        resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString("utf8") });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(o.body);
  });
}

// A browser-less client of the editor's pages: keeps cookies like a browser, reads the form token of the
// last page, sends forms as a browser does (Origin and Sec-Fetch-Site of this origin, unless told otherwise).

export interface PageResponse {
  readonly status: number;
  readonly text: string;
  readonly headers: Headers;
  /** Where a redirect points, as a path. */
  readonly location: string | undefined;
}

export class WebClient {
  readonly origin: URL;
  readonly cookies = new Map<string, string>();
  /** The `_csrf` value of the last page that had one. */
  csrf: string | undefined;
  /** The loopback address requests leave from (127.0.0.2, …): another client address for the server. */
  readonly localAddress: string | undefined;

  constructor(origin: URL, opts: { localAddress?: string } = {}) {
    this.origin = origin;
    this.localAddress = opts.localAddress;
  }

  #remember(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = decodeURIComponent(pair.slice(eq + 1).trim());
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  #cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("; ");
  }

  async #send(path: string, init: RequestInit): Promise<PageResponse> {
    const res = await send(new URL(path, this.origin), {
      method: init.method ?? "GET",
      headers: { cookie: this.#cookieHeader(), ...(init.headers as Record<string, string>) },
      body: init.body === undefined ? undefined : Buffer.isBuffer(init.body) ? init.body : String(init.body),
      localAddress: this.localAddress,
    });
    this.#remember(res.headers);
    const text = res.text;
    const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    if (token) this.csrf = token;
    const location = res.headers.get("location") ?? undefined;
    return { status: res.status, text, headers: res.headers, location: location ? new URL(location, this.origin).pathname + new URL(location, this.origin).search : undefined };
  }

  get(path: string, headers: Record<string, string> = {}): Promise<PageResponse> {
    return this.#send(path, { method: "GET", headers: { accept: "text/html", "accept-language": "en", ...headers } });
  }

  /** Sends a form; `_csrf` is added from the last page unless the form gives one (or `null` to leave it out). */
  post(path: string, form: Record<string, string | null>, headers: Record<string, string> = {}): Promise<PageResponse> {
    const body = new URLSearchParams();
    const withToken = "_csrf" in form ? form : { ...form, _csrf: this.csrf ?? null };
    for (const [k, v] of Object.entries(withToken)) if (v !== null) body.append(k, v);
    return this.#send(path, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "text/html",
        "accept-language": "en",
        origin: this.origin.origin,
        "sec-fetch-site": "same-origin",
        ...headers,
      },
    });
  }

  /**
   * Sends a form as multipart/form-data (a browser's form with a file input): `_csrf` first, as our
   * forms put it, then the fields, then the file (or `file: null` for an input left empty).
   */
  postMultipart(path: string, form: Record<string, string | null>, file: MultipartFile | null, headers: Record<string, string> = {}): Promise<PageResponse> {
    const withToken = "_csrf" in form ? form : { _csrf: this.csrf ?? null, ...form };
    const { body, contentType } = multipartBody(withToken, file);
    return this.#send(path, {
      method: "POST",
      body: body as unknown as BodyInit,
      headers: { "content-type": contentType, accept: "text/html", "accept-language": "en", origin: this.origin.origin, "sec-fetch-site": "same-origin", ...headers },
    });
  }

  /** Logs in through the form; returns the response of the form's POST. */
  async login(email: string, password: string): Promise<PageResponse> {
    await this.get("/manage/login");
    return this.post("/manage/login", { email, password });
  }
}

export interface MultipartFile {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly bytes: Buffer;
}

/** A multipart/form-data body, fields in the given order, the file last. */
export function multipartBody(form: Record<string, string | null>, file: MultipartFile | null): { body: Buffer; contentType: string } {
  const boundary = `----relais${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(form)) {
    if (v === null) continue;
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.contentType}\r\n\r\n`));
    parts.push(file.bytes, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
