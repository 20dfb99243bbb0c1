/** A scripted browser for HTTP tests of login flows: a cookie jar, redirects followed by hand, form parsing. */
/** A browser stand-in: one cookie jar (single host), redirects followed by hand. */
export class Browser {
  readonly cookies = new Map<string, string>();

  async request(url: string | URL, init: { method?: string; body?: URLSearchParams } = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (init.body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body ? { body: init.body.toString() } : {}),
      redirect: 'manual',
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = cookie.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [k = '', v = ''] = a.trim().split('=');
        return (k.toLowerCase() === 'expires' && Date.parse(v) <= Date.now()) || (k.toLowerCase() === 'max-age' && Number(v) <= 0);
      });
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Follows redirects until a non-redirect response or a URL starting with `stopAt`; returns the final URL and response. */
  async follow(url: string | URL, stopAt: string | ((url: URL) => boolean), init: { method?: string; body?: URLSearchParams } = {}): Promise<{ url: URL; response?: Response }> {
    let current = new URL(url);
    let response = await this.request(current, init);
    for (let hops = 0; hops < 10; hops++) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { url: current, response };
      await response.body?.cancel();
      current = new URL(location, current);
      if (typeof stopAt === 'string' ? current.href.startsWith(stopAt) : stopAt(current)) return { url: current };
      response = await this.request(current);
    }
    throw new Error('too many redirects');
  }
}

export const formOf = (html: string): { action: string; fields: URLSearchParams } => {
  const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error(`no form in page: ${html}`);
  const fields = new URLSearchParams();
  for (const input of (form[2] ?? '').matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name) fields.set(name, value);
  }
  return { action: (form[1] ?? '').replaceAll('&amp;', '&'), fields };
};


export interface LoggedIn {
  readonly browser: Browser;
  readonly csrfToken: string;
  readonly me: { accountId: string | null; status: string; roles: { role: string; territories: string[] }[]; nationalId: string };
  /** fetch with the session cookie (and the CSRF token on state-changing requests). */
  api(path: string, init?: { method?: string; json?: unknown; csrf?: boolean }): Promise<Response>;
}

/** Logs in to the platform at `baseUrl` through its development provider, as the demo identity `nationalId`. */
export async function loginAs(baseUrl: string, nationalId: string, browser = new Browser()): Promise<LoggedIn> {
  const started = await browser.follow(`${baseUrl}/auth/login?returnTo=%2F`, `${baseUrl}/never`);
  const html = await started.response!.text();
  if (!started.url.pathname.startsWith('/dev-idp/')) throw new Error(`expected the provider's login page, got ${started.url.href}: ${html.slice(0, 300)}`);
  const { action, fields } = formOf(html);
  fields.set('nationalId', nationalId);
  const backHome = (url: URL) => url.href === `${baseUrl}/`;
  const done = await browser.follow(new URL(action, started.url), backHome, { method: 'POST', body: fields });
  if (done.response && done.response.status >= 400) throw new Error(`login failed: ${done.response.status} ${await done.response.text()}`);
  await done.response?.body?.cancel();
  return session(baseUrl, browser);
}

export async function session(baseUrl: string, browser: Browser): Promise<LoggedIn> {
  const meResponse = await browser.request(`${baseUrl}/api/me`);
  if (meResponse.status !== 200) throw new Error(`GET /api/me answered ${meResponse.status}: ${await meResponse.text()}`);
  const me = (await meResponse.json()) as LoggedIn['me'] & { csrfToken: string };
  const api: LoggedIn['api'] = (path, init = {}) => {
    const headers: Record<string, string> = {};
    if (browser.cookies.size) headers.cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    if (init.csrf !== false && init.method && init.method !== 'GET') headers['x-csrf-token'] = me.csrfToken;
    return fetch(`${baseUrl}${path}`, { method: init.method ?? 'GET', headers, ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}), redirect: 'manual' });
  };
  return { browser, csrfToken: me.csrfToken, me, api };
}
