import {
  BaseProperty,
  BaseRecord,
  BaseResource,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type ActionContext,
  type Filter,
  type ParamsType,
  type PropertyType,
} from 'adminjs';
import { AppError } from '../../core/errors/index.js';
import type { Actor } from '../../core/shared/actor.js';
import { actorOf } from '../auth/panel-session.js';

/**
 * The panel's resource adapter: AdminJS lists, shows and edits records through Heimdall's services in core/,
 * never through SQL of its own, so every permission check, escalation guard, validation and audit event of the
 * REST API applies in the panel too. A `ResourceBackend` says what a resource's records look like and which
 * service calls read and change them; `ServiceResource` turns that into AdminJS's resource interface.
 */
export interface PropertySpec {
  path: string;
  type?: PropertyType;
  isId?: boolean;
  isTitle?: boolean;
  isSortable?: boolean;
  isArray?: boolean;
  position?: number;
}

/** A list request as the service sees it: the panel's filters by property, one page, one sort order. */
export interface ListQuery {
  filters: Record<string, string | { from?: string; to?: string }>;
  limit: number;
  offset: number;
  sort: { by: string; direction: 'asc' | 'desc' } | undefined;
}

export interface ResourceBackend<Row> {
  id: string;
  properties: PropertySpec[];
  toParams(row: Row): Record<string, unknown>;
  list(actor: Actor, query: ListQuery): Promise<{ rows: Row[]; total: number }>;
  get(actor: Actor, id: string): Promise<Row | undefined>;
  create?(actor: Actor, params: Record<string, unknown>): Promise<Row>;
  update?(actor: Actor, id: string, params: Record<string, unknown>): Promise<Row>;
  remove?(actor: Actor, id: string): Promise<void>;
}

/** The Actor of the panel request `context` belongs to; a request without one never reaches a service. */
export function requireActor(context: { currentAdmin?: unknown } | undefined): Actor {
  const actor = actorOf(context?.currentAdmin);
  if (!actor) throw new ForbiddenError('Sign in to the panel first.');
  return actor;
}

/** A service's refusal as AdminJS shows it: each message next to the field it names, and as the page's notice. */
export function panelError(err: unknown): unknown {
  if (!(err instanceof AppError)) return err;
  if (err.status === 404) return new NotFoundError(err.message, 'panel');
  if (err.status === 401 || err.status === 403) return new ForbiddenError(err.message);
  if (err.status >= 500) return err;
  const named = Array.isArray(err.details?.fields)
    ? (err.details.fields as { field?: string; message?: string }[])
    : typeof err.details?.field === 'string'
      ? [{ field: err.details.field, message: err.message }]
      : [];
  const fields = Object.fromEntries(
    named
      .filter((f) => f.field)
      .map((f) => [f.field!, { message: f.message ?? err.message, type: err.code }]),
  );
  const detail = named.map((f) => (f.field ? `${f.field}: ${f.message}` : f.message)).join('; ');
  return new ValidationError(fields, {
    message: detail && err.code === 'request.validation_failed' ? `${err.message} ${detail}` : err.message,
    type: err.code,
  });
}

/**
 * What a form shows when a service refuses: the message for the page, and one per field the refusal names.
 * Anything but a refusal (an internal error) is thrown on, never shown.
 */
export function refusalOf(err: unknown): { message: string; fields: Record<string, { message: string }> } {
  if (!(err instanceof AppError) || err.status >= 500) throw err;
  const shown = panelError(err);
  return shown instanceof ValidationError
    ? { message: shown.baseError?.message ?? err.message, fields: shown.propertyErrors }
    : { message: err.message, fields: {} };
}

/**
 * A list query as REST's list endpoints take it (`page`, `per_page`, `sort`), for the schema that validates
 * it there: the panel pages by page as REST does, and sorts only by what REST sorts by.
 */
export function restPage(query: ListQuery, sortable: readonly string[]): Record<string, string> {
  const sort = query.sort && sortable.includes(query.sort.by) ? query.sort : undefined;
  return {
    page: String(Math.floor(query.offset / query.limit) + 1),
    per_page: String(query.limit),
    ...(sort ? { sort: `${sort.direction === 'desc' ? '-' : ''}${sort.by}` } : {}),
  };
}

/** A text filter's value, when the panel's filter form sent one. */
export const textFilter = (query: ListQuery, name: string): string | undefined => {
  const value = query.filters[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** An array param of a record: AdminJS keeps records flat (`role_ids.0`, `role_ids.1`, …). */
export function arrayParam(record: { params: Record<string, unknown> } | undefined, name: string): string[] {
  if (!record) return [];
  const direct = record.params[name];
  if (Array.isArray(direct)) return direct.map(String);
  return Object.entries(record.params)
    .filter(([key]) => key.startsWith(`${name}.`) && /^\d+$/.test(key.slice(name.length + 1)))
    .sort(([a], [b]) => Number(a.slice(name.length + 1)) - Number(b.slice(name.length + 1)))
    .map(([, value]) => String(value));
}

export async function viaService<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw panelError(err);
  }
}

/** A property as the backend declares it: BaseProperty with the title and array flags it keeps for itself. */
class ServiceProperty extends BaseProperty {
  constructor(
    private readonly spec: PropertySpec,
    index: number,
  ) {
    super({
      path: spec.path,
      type: spec.type ?? 'string',
      isId: spec.isId ?? false,
      isSortable: spec.isSortable ?? false,
      position: spec.position ?? index,
    });
  }

  override isTitle(): boolean {
    return this.spec.isTitle ?? false;
  }

  override isArray(): boolean {
    return this.spec.isArray ?? false;
  }
}

export class ServiceResource<Row> extends BaseResource {
  private readonly props: BaseProperty[];
  /** AdminJS asks for a page and then for its count with the same filter: one service call answers both. */
  private readonly totals = new WeakMap<object, number>();

  constructor(private readonly backend: ResourceBackend<Row>) {
    super(backend);
    this.props = backend.properties.map((p, i) => new ServiceProperty(p, i));
  }

  static override isAdapterFor(resource: unknown): boolean {
    return resource instanceof ServiceResource;
  }

  override id(): string {
    return this.backend.id;
  }

  override databaseName(): string {
    return 'heimdall';
  }

  override databaseType(): string {
    return 'Heimdall services';
  }

  override properties(): BaseProperty[] {
    return this.props;
  }

  override property(path: string): BaseProperty | null {
    return this.props.find((p) => p.path() === path) ?? null;
  }

  private record(row: Row): BaseRecord {
    return new BaseRecord(this.backend.toParams(row) as ParamsType, this);
  }

  private query(
    filter: Filter,
    page?: { limit?: number; offset?: number; sort?: { sortBy?: string; direction?: 'asc' | 'desc' } },
  ): ListQuery {
    const filters: ListQuery['filters'] = {};
    for (const element of Object.values(filter.filters ?? {})) {
      const value = element.value as unknown;
      if (typeof value === 'string' && value !== '') filters[element.path] = value;
      else if (value && typeof value === 'object')
        filters[element.path] = value as { from?: string; to?: string };
    }
    const sortBy = page?.sort?.sortBy;
    return {
      filters,
      limit: page?.limit ?? 10,
      offset: page?.offset ?? 0,
      sort: sortBy ? { by: sortBy, direction: page?.sort?.direction === 'asc' ? 'asc' : 'desc' } : undefined,
    };
  }

  override async find(
    filter: Filter,
    options: { limit?: number; offset?: number; sort?: { sortBy?: string; direction?: 'asc' | 'desc' } },
    context?: ActionContext,
  ): Promise<BaseRecord[]> {
    const actor = requireActor(context);
    const { rows, total } = await viaService(() => this.backend.list(actor, this.query(filter, options)));
    this.totals.set(filter, total);
    return rows.map((row) => this.record(row));
  }

  override async count(filter: Filter, context?: ActionContext): Promise<number> {
    const known = this.totals.get(filter);
    if (known !== undefined) return known;
    const actor = requireActor(context);
    const { total } = await viaService(() => this.backend.list(actor, { ...this.query(filter), limit: 1 }));
    return total;
  }

  override async findOne(id: string, context?: ActionContext): Promise<BaseRecord | null> {
    const actor = requireActor(context);
    const row = await viaService(() => this.backend.get(actor, id)).catch((err: unknown) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    });
    return row ? this.record(row) : null;
  }

  override async findMany(ids: Array<string | number>, context?: ActionContext): Promise<BaseRecord[]> {
    const records = await Promise.all(ids.map((id) => this.findOne(String(id), context)));
    return records.filter((r): r is BaseRecord => r !== null);
  }

  override async create(params: Record<string, unknown>, context?: ActionContext): Promise<ParamsType> {
    const { create } = this.backend;
    if (!create) throw new ForbiddenError('Records of this kind are not created here.');
    const actor = requireActor(context);
    const row = await viaService(() => create(actor, params));
    return this.backend.toParams(row) as ParamsType;
  }

  override async update(
    id: string,
    params: Record<string, unknown>,
    context?: ActionContext,
  ): Promise<ParamsType> {
    const { update } = this.backend;
    if (!update) throw new ForbiddenError('Records of this kind are not edited here.');
    const actor = requireActor(context);
    const row = await viaService(() => update(actor, id, params));
    return this.backend.toParams(row) as ParamsType;
  }

  override async delete(id: string, context?: ActionContext): Promise<void> {
    const { remove } = this.backend;
    if (!remove) throw new ForbiddenError('Records of this kind are not deleted here.');
    const actor = requireActor(context);
    await viaService(() => remove(actor, id));
  }
}
