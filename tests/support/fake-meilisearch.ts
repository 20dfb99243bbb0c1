/**
 * An in-process TEST DOUBLE of the Meilisearch HTTP API — only the part the search adapter uses — so that the
 * adapter's own logic (documents, groups, pagination, tie-breaks, rebuild and swap) runs against the contract
 * suite on machines without a Meilisearch server. It is NOT Meilisearch: it encodes our reading of its semantics,
 * taken from the documentation and milli's source, and the real server remains the reference
 * (tests/directory/search-engine.meili.int.test.ts with MEILISEARCH_URL). What it reproduces:
 *
 * - tasks: every write answers 202 with an enqueued task, processed in order; `GET /tasks/:uid` tells the outcome
 *   (failures such as index_not_found or index_already_exists are task failures, as on the server);
 * - filters: `=`, `!=`, `IN [...]`, `a TO b`, `>`, `>=`, `<`, `<=`, `NOT`, `AND`, `OR`, parentheses, quoted values
 *   with `\"` and `\\`, `_geoRadius(lat, lng, metres)`; a condition on an array field holds when ONE value satisfies
 *   it (so `x a TO b` is "some value in [a, b]"); string equality is trimmed and case-insensitive; a filter on an
 *   attribute that is not filterable is refused (invalid_search_filter);
 * - sort `_geoPoint(lat, lng):asc` (only when `_geo` is sortable; places without `_geo` last; ties in index order),
 *   `_geoDistance` in hits, haversine on a 6371 km sphere; `pagination.maxTotalHits` caps offset + limit;
 * - documents: add-or-replace by primary key, delete by ids, fetch with a filter; index swap (atomic, in pairs).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Doc = Record<string, unknown>;

interface FakeIndex {
  uid: string;
  primaryKey: string | null;
  createdAt: string;
  updatedAt: string;
  docs: Map<string, Doc>;
  settings: { filterableAttributes: string[]; sortableAttributes: string[]; searchableAttributes: string[]; displayedAttributes: string[]; pagination: { maxTotalHits: number } };
}

interface FakeTask {
  uid: number;
  batchUid: number;
  indexUid: string | null;
  status: 'succeeded' | 'failed';
  type: string;
  canceledBy: null;
  details: Record<string, unknown>;
  error: { message: string; code: string; type: string; link: string } | null;
  duration: string;
  enqueuedAt: string;
  startedAt: string;
  finishedAt: string;
}

class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const EARTH_M = 6_371_008.8;
function haversine(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const r = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * r) / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lng2 - lng1) * r) / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

const normalise = (value: string) => value.trim().normalize('NFKD').toLowerCase();

// ─── Filter expressions ──────────────────────────────────────────────────────────────────────────────────────────

type Token = { kind: 'word' | 'string' | 'punct'; text: string };
type Node =
  | { op: 'and' | 'or'; children: Node[] }
  | { op: 'not'; child: Node }
  | { op: 'geoRadius'; lat: number; lng: number; radius: number }
  | { op: 'cmp'; attribute: string; cmp: '=' | '!=' | '>' | '>=' | '<' | '<='; value: string }
  | { op: 'in'; attribute: string; values: string[] }
  | { op: 'to'; attribute: string; from: number; to: number };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      let text = '';
      i++;
      while (i < input.length && input[i] !== c) {
        if (input[i] === '\\' && i + 1 < input.length) {
          text += input[i + 1];
          i += 2;
        } else text += input[i++];
      }
      if (input[i] !== c) throw new ApiError(400, 'invalid_search_filter', `missing closing quote in ${input}`);
      i++;
      tokens.push({ kind: 'string', text });
    } else if ('()[],'.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if ('=!<>'.includes(c)) {
      const two = input.slice(i, i + 2);
      const op = ['!=', '>=', '<='].includes(two) ? two : c;
      tokens.push({ kind: 'punct', text: op });
      i += op.length;
    } else {
      let text = '';
      while (i < input.length && /[\p{L}\p{N}_.\-]/u.test(input[i]!)) text += input[i++];
      if (text === '') throw new ApiError(400, 'invalid_search_filter', `unexpected "${c}" in ${input}`);
      tokens.push({ kind: 'word', text });
    }
  }
  return tokens;
}

function parseFilter(input: string): Node {
  const tokens = tokenize(input);
  let pos = 0;
  const fail = (message: string): never => {
    throw new ApiError(400, 'invalid_search_filter', `${message} in filter: ${input}`);
  };
  const peek = () => tokens[pos];
  const isWord = (text: string) => peek()?.kind === 'word' && peek()!.text === text;
  const expect = (text: string) => (peek()?.text === text ? tokens[pos++] : fail(`expected "${text}"`));
  const value = (): string => {
    const t = tokens[pos++];
    if (!t || t.kind === 'punct') return fail('expected a value');
    return t.text;
  };
  const number = (): number => {
    const text = value();
    const n = Number(text);
    return Number.isFinite(n) ? n : fail(`"${text}" is not a number`);
  };
  const or = (): Node => {
    const children = [and()];
    while (isWord('OR')) {
      pos++;
      children.push(and());
    }
    return children.length === 1 ? children[0]! : { op: 'or', children };
  };
  const and = (): Node => {
    const children = [not()];
    while (isWord('AND')) {
      pos++;
      children.push(not());
    }
    return children.length === 1 ? children[0]! : { op: 'and', children };
  };
  const not = (): Node => {
    if (isWord('NOT')) {
      pos++;
      return { op: 'not', child: not() };
    }
    return primary();
  };
  const primary = (): Node => {
    if (peek()?.text === '(') {
      pos++;
      const node = or();
      expect(')');
      return node;
    }
    if (isWord('_geoRadius')) {
      pos++;
      expect('(');
      const lat = number();
      expect(',');
      const lng = number();
      expect(',');
      const radius = number();
      expect(')');
      return { op: 'geoRadius', lat, lng, radius };
    }
    const attribute = value();
    const t = peek();
    if (!t) return fail('expected an operator');
    if (t.kind === 'punct' && ['=', '!=', '>', '>=', '<', '<='].includes(t.text)) {
      pos++;
      return { op: 'cmp', attribute, cmp: t.text as '=', value: value() };
    }
    if (isWord('IN')) {
      pos++;
      expect('[');
      const values = [value()];
      while (peek()?.text === ',') {
        pos++;
        values.push(value());
      }
      expect(']');
      return { op: 'in', attribute, values };
    }
    const from = number();
    if (!isWord('TO')) return fail('expected TO');
    pos++;
    return { op: 'to', attribute, from, to: number() };
  };
  const node = or();
  if (pos !== tokens.length) fail(`unexpected "${tokens[pos]!.text}"`);
  return node;
}

function attributesOf(node: Node): string[] {
  switch (node.op) {
    case 'and':
    case 'or':
      return node.children.flatMap(attributesOf);
    case 'not':
      return attributesOf(node.child);
    case 'geoRadius':
      return ['_geo'];
    default:
      return [node.attribute];
  }
}

const valuesOf = (doc: Doc, attribute: string): unknown[] => {
  const v = doc[attribute];
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
};

function matches(node: Node, doc: Doc): boolean {
  switch (node.op) {
    case 'and':
      return node.children.every((c) => matches(c, doc));
    case 'or':
      return node.children.some((c) => matches(c, doc));
    case 'not':
      return !matches(node.child, doc);
    case 'geoRadius': {
      const geo = doc._geo as { lat: number; lng: number } | undefined;
      return geo !== undefined && geo !== null && haversine(node.lat, node.lng, geo.lat, geo.lng) <= node.radius + Number.EPSILON;
    }
    case 'in':
      return node.values.some((value) => matches({ op: 'cmp', attribute: node.attribute, cmp: '=', value }, doc));
    case 'to':
      return valuesOf(doc, node.attribute).some((v) => typeof v === 'number' && v >= node.from && v <= node.to);
    case 'cmp': {
      if (node.cmp === '!=') return !matches({ ...node, cmp: '=' }, doc);
      const n = Number(node.value);
      return valuesOf(doc, node.attribute).some((v) => {
        if (typeof v === 'number') {
          if (!Number.isFinite(n)) return false;
          return node.cmp === '=' ? v === n : node.cmp === '>' ? v > n : node.cmp === '>=' ? v >= n : node.cmp === '<' ? v < n : v <= n;
        }
        return node.cmp === '=' && (typeof v === 'string' || typeof v === 'boolean') && normalise(String(v)) === normalise(node.value);
      });
    }
  }
}

// ─── The server ──────────────────────────────────────────────────────────────────────────────────────────────────

export class FakeMeilisearch {
  readonly #indexes = new Map<string, FakeIndex>();
  readonly #tasks = new Map<number, FakeTask>();
  readonly #apiKey: string | undefined;
  #nextTask = 0;
  #server: Server | null = null;
  url = '';
  /** Requests received, by `METHOD path` (to check which API the adapter uses). */
  readonly requests: string[] = [];

  constructor(options: { apiKey?: string } = {}) {
    this.#apiKey = options.apiKey;
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  indexUids(): string[] {
    return [...this.#indexes.keys()].sort();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      const body: unknown = text ? JSON.parse(text) : undefined;
      const url = new URL(req.url ?? '/', 'http://fake');
      this.requests.push(`${req.method} ${url.pathname}`);
      if (this.#apiKey !== undefined && req.headers.authorization !== `Bearer ${this.#apiKey}`) {
        throw new ApiError(req.headers.authorization ? 403 : 401, req.headers.authorization ? 'invalid_api_key' : 'missing_authorization_header', 'The provided API key is invalid.');
      }
      const result = this.#route(req.method ?? 'GET', url, body);
      send(result.status, result.body);
    } catch (error) {
      const e = error instanceof ApiError ? error : new ApiError(500, 'internal', error instanceof Error ? error.message : String(error));
      send(e.status, { message: e.message, code: e.code, type: e.status >= 500 ? 'internal' : 'invalid_request', link: `https://docs.meilisearch.com/errors#${e.code}` });
    }
  }

  #route(method: string, url: URL, body: unknown): { status: number; body: unknown } {
    const parts = url.pathname.split('/').filter(Boolean);
    const ok = (b: unknown) => ({ status: 200, body: b });
    if (parts[0] === 'tasks' && parts.length === 2 && method === 'GET') {
      const task = this.#tasks.get(Number(parts[1]));
      if (!task) throw new ApiError(404, 'task_not_found', `Task \`${parts[1]}\` not found.`);
      return ok(task);
    }
    if (parts[0] === 'swap-indexes' && method === 'POST') {
      return this.#enqueue(null, 'indexSwap', () => this.#swap(body as { indexes: [string, string]; rename?: boolean }[]));
    }
    if (parts[0] !== 'indexes') throw new ApiError(404, 'not_found', `no route ${method} ${url.pathname}`);
    if (parts.length === 1 && method === 'POST') {
      const { uid, primaryKey } = body as { uid: string; primaryKey?: string };
      return this.#enqueue(uid, 'indexCreation', () => {
        if (this.#indexes.has(uid)) throw new ApiError(409, 'index_already_exists', `Index \`${uid}\` already exists.`);
        this.#create(uid, primaryKey ?? null);
      });
    }
    const uid = parts[1]!;
    const rest = parts.slice(2).join('/');
    if (rest === '' && method === 'GET') {
      const index = this.#get(uid);
      return ok({ uid: index.uid, primaryKey: index.primaryKey, createdAt: index.createdAt, updatedAt: index.updatedAt });
    }
    if (rest === '' && method === 'DELETE') {
      return this.#enqueue(uid, 'indexDeletion', () => {
        this.#get(uid);
        this.#indexes.delete(uid);
      });
    }
    if (rest === 'settings' && method === 'GET') return ok(this.#get(uid).settings);
    if (rest === 'settings' && method === 'PATCH') {
      return this.#enqueue(uid, 'settingsUpdate', () => {
        const index = this.#indexes.get(uid) ?? this.#create(uid, null);
        const s = body as Partial<FakeIndex['settings']>;
        index.settings = {
          ...index.settings,
          ...(s.filterableAttributes ? { filterableAttributes: [...s.filterableAttributes] } : {}),
          ...(s.sortableAttributes ? { sortableAttributes: [...s.sortableAttributes] } : {}),
          ...(s.searchableAttributes ? { searchableAttributes: [...s.searchableAttributes] } : {}),
          ...(s.pagination?.maxTotalHits ? { pagination: { maxTotalHits: s.pagination.maxTotalHits } } : {}),
        };
      });
    }
    if (rest === 'documents' && method === 'POST') {
      return this.#enqueue(uid, 'documentAdditionOrUpdate', () => {
        const index = this.#indexes.get(uid) ?? this.#create(uid, url.searchParams.get('primaryKey'));
        const key = index.primaryKey ?? url.searchParams.get('primaryKey') ?? 'id';
        index.primaryKey = key;
        const docs = body as Doc[];
        for (const doc of docs) {
          const id = doc[key];
          if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,511}$/.test(id)) throw new ApiError(400, 'invalid_document_id', `Document identifier \`${String(id)}\` is invalid.`);
          const geo = doc._geo as { lat?: unknown; lng?: unknown } | undefined;
          if (geo !== undefined && (typeof geo !== 'object' || geo === null || typeof geo.lat !== 'number' || typeof geo.lng !== 'number')) {
            throw new ApiError(400, 'invalid_document_geo_field', `Bad _geo in document ${id}`);
          }
        }
        for (const doc of docs) index.docs.set(doc[key] as string, structuredClone(doc));
      });
    }
    if (parts[2] === 'documents' && parts.length === 4 && method === 'GET') {
      const doc = this.#get(uid).docs.get(parts[3]!);
      if (!doc) throw new ApiError(404, 'document_not_found', `Document \`${parts[3]}\` not found.`);
      return ok(pick(doc, url.searchParams.get('fields')?.split(',')));
    }
    if (rest === 'documents/delete-batch' && method === 'POST') {
      return this.#enqueue(uid, 'documentDeletion', () => {
        const index = this.#get(uid);
        for (const id of body as string[]) index.docs.delete(String(id));
      });
    }
    if (rest === 'documents/fetch' && method === 'POST') {
      const index = this.#get(uid);
      const { filter, limit = 20, offset = 0, fields } = body as { filter?: string; limit?: number; offset?: number; fields?: string[] };
      const docs = this.#filtered(index, filter);
      return ok({ results: docs.slice(offset, offset + limit).map((d) => pick(d, fields)), offset, limit, total: docs.length });
    }
    if (rest === 'search' && method === 'POST') return ok(this.#search(this.#get(uid), body as SearchBody));
    throw new ApiError(404, 'not_found', `no route ${method} ${url.pathname}`);
  }

  #create(uid: string, primaryKey: string | null): FakeIndex {
    if (!/^[A-Za-z0-9_-]{1,400}$/.test(uid)) throw new ApiError(400, 'invalid_index_uid', `\`${uid}\` is not a valid index uid.`);
    const now = new Date().toISOString();
    const index: FakeIndex = {
      uid,
      primaryKey,
      createdAt: now,
      updatedAt: now,
      docs: new Map(),
      settings: { filterableAttributes: [], sortableAttributes: [], searchableAttributes: ['*'], displayedAttributes: ['*'], pagination: { maxTotalHits: 1000 } },
    };
    this.#indexes.set(uid, index);
    return index;
  }

  #get(uid: string): FakeIndex {
    const index = this.#indexes.get(uid);
    if (!index) throw new ApiError(404, 'index_not_found', `Index \`${uid}\` not found.`);
    return index;
  }

  #swap(pairs: { indexes: [string, string]; rename?: boolean }[]): void {
    for (const { indexes } of pairs) for (const uid of indexes) this.#get(uid);
    for (const { indexes: [a, b] } of pairs) {
      const ia = this.#get(a);
      const ib = this.#get(b);
      this.#indexes.set(a, { ...ib, uid: a });
      this.#indexes.set(b, { ...ia, uid: b });
    }
  }

  #filtered(index: FakeIndex, filter: string | undefined): Doc[] {
    const docs = [...index.docs.values()];
    if (!filter) return docs;
    const node = parseFilter(filter);
    for (const attribute of attributesOf(node)) {
      if (!index.settings.filterableAttributes.includes(attribute)) {
        throw new ApiError(400, 'invalid_search_filter', `Attribute \`${attribute}\` is not filterable. Available filterable attributes are: ${index.settings.filterableAttributes.join(', ')}.`);
      }
    }
    return docs.filter((d) => matches(node, d));
  }

  #search(index: FakeIndex, body: SearchBody) {
    let docs = this.#filtered(index, body.filter);
    let distance: ((d: Doc) => number | undefined) | undefined;
    for (const sort of body.sort ?? []) {
      const m = /^_geoPoint\(\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\):asc$/.exec(sort);
      if (!m) throw new ApiError(400, 'invalid_search_sort', `unsupported sort ${sort}`);
      if (!index.settings.sortableAttributes.includes('_geo')) throw new ApiError(400, 'invalid_search_sort', 'Attribute `_geo` is not sortable.');
      const [lat, lng] = [Number(m[1]), Number(m[2])];
      distance = (d) => {
        const geo = d._geo as { lat: number; lng: number } | undefined;
        return geo ? haversine(lat, lng, geo.lat, geo.lng) : undefined;
      };
      const order = new Map(docs.map((d, i) => [d, i]));
      docs = [...docs].sort((a, b) => (distance!(a) ?? Infinity) - (distance!(b) ?? Infinity) || order.get(a)! - order.get(b)!);
    }
    const offset = body.offset ?? 0;
    const limit = body.limit ?? 20;
    const reachable = docs.slice(0, index.settings.pagination.maxTotalHits);
    const hits = reachable.slice(offset, offset + limit).map((d) => {
      const hit = pick(d, body.attributesToRetrieve);
      const metres = distance?.(d);
      return metres === undefined ? hit : { ...hit, _geoDistance: Math.round(metres) };
    });
    return { hits, query: body.q ?? '', processingTimeMs: 0, limit, offset, estimatedTotalHits: reachable.length };
  }

  #enqueue(indexUid: string | null, type: string, run: () => void): { status: number; body: unknown } {
    const uid = this.#nextTask++;
    const enqueuedAt = new Date().toISOString();
    let error: FakeTask['error'] = null;
    try {
      run();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      error = { message: e.message, code: e.code, type: 'invalid_request', link: `https://docs.meilisearch.com/errors#${e.code}` };
    }
    this.#tasks.set(uid, {
      uid,
      batchUid: uid,
      indexUid,
      status: error ? 'failed' : 'succeeded',
      type,
      canceledBy: null,
      details: {},
      error,
      duration: 'PT0S',
      enqueuedAt,
      startedAt: enqueuedAt,
      finishedAt: new Date().toISOString(),
    });
    return { status: 202, body: { taskUid: uid, indexUid, status: 'enqueued', type, enqueuedAt } };
  }
}

interface SearchBody {
  q?: string | null;
  filter?: string;
  sort?: string[];
  offset?: number;
  limit?: number;
  attributesToRetrieve?: string[];
}

function pick(doc: Doc, fields: readonly string[] | undefined): Doc {
  if (!fields || fields.includes('*')) return structuredClone(doc);
  return Object.fromEntries(fields.filter((f) => f in doc).map((f) => [f, structuredClone(doc[f])]));
}
