import type { ActionContext, ActionRequest, ActionResponse, BaseRecord } from 'adminjs';
import type { Actor } from '../../core/shared/actor.js';
import { actorOf } from '../auth/panel-session.js';
import { refusalOf, requireActor } from './service-resource.js';
import type { FormField } from '../components/form-field.js';

export type { FieldOption, FormField } from '../components/form-field.js';

/**
 * How panel actions are declared: who may use them (`may`, the same `resource:action` permission the service
 * checks, so navigation and buttons show only what the person may do) and, for actions that take input, a form
 * the panel's ActionForm component renders from `fields` and posts back to `run`.
 */
export const may =
  (resource: string, action: string) =>
  ({ currentAdmin }: { currentAdmin?: unknown }): boolean =>
    actorOf(currentAdmin)?.auth.can(resource, action) ?? false;

/** Shown and usable only with `resource:action`: what a person may not do is neither listed nor reachable. */
export const onlyWith = (resource: string, action: string) => {
  const allowed = may(resource, action);
  return { isAccessible: allowed, isVisible: allowed };
};

const OFF = { isAccessible: false, isVisible: false } as const;

/**
 * AdminJS's built-in actions for a resource of the panel: listing and showing behind `resource:<read>`, and
 * AdminJS's own forms for new, edit and delete switched off (the panel's changes are its own actions, which ask
 * the service's permission and show its answers). `search` (the reference picker) only where a resource wants it.
 */
export function builtInActions(resource: string, options: { read?: string; search?: boolean } = {}) {
  const read = may(resource, options.read ?? 'read');
  return {
    list: { isAccessible: read },
    show: { isAccessible: read },
    search: options.search ? { isAccessible: read } : OFF,
    new: OFF,
    edit: OFF,
    delete: OFF,
    bulkDelete: OFF,
  };
}

export interface FormOutcome {
  /** The notice shown after success (a translation key of the panel's messages, or plain text). */
  message: string;
  /** A secret to show once (a new API key or client secret); the form stays open to show it. */
  secret?: string;
  /** Where to go afterwards: the record, the list, or nowhere (stay). */
  then?: 'show' | 'list' | 'stay';
  /** The record to go to, for actions that create one. */
  recordId?: string;
}

export interface FormActionSpec {
  actionType: 'record' | 'resource';
  icon: string;
  permission: [string, string];
  variant?: 'danger' | 'primary';
  /** Shown above the form (a translation key). */
  intro?: string;
  fields?: (actor: Actor, record: BaseRecord | undefined) => Promise<FormField[]> | FormField[];
  run(actor: Actor, payload: Record<string, unknown>, record: BaseRecord | undefined): Promise<FormOutcome>;
}

/** The form's values as posted: AdminJS's client sends JSON, so arrays and booleans arrive as they are. */
function payloadOf(request: ActionRequest): Record<string, unknown> {
  const payload = (request.payload ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(payload).filter(([k]) => !k.startsWith('__')));
}

export function formAction(spec: FormActionSpec) {
  return {
    actionType: spec.actionType,
    icon: spec.icon,
    component: 'ActionForm' as const,
    ...onlyWith(...spec.permission),
    ...(spec.variant ? { variant: spec.variant } : {}),
    custom: { intro: spec.intro ?? null, variant: spec.variant ?? 'primary' },
    handler: async (
      request: ActionRequest,
      _response: unknown,
      context: ActionContext,
    ): Promise<ActionResponse> => {
      const actor = requireActor(context);
      const record = context.record;
      const recordJson = record?.toJSON(context.currentAdmin);
      if (request.method !== 'post') {
        const fields = spec.fields ? await spec.fields(actor, record) : [];
        return { ...(recordJson ? { record: recordJson } : {}), fields };
      }
      try {
        const outcome = await spec.run(actor, payloadOf(request), record);
        const resourceId = context.resource.id();
        const target = outcome.recordId ?? record?.id();
        const redirectUrl =
          outcome.then === 'list'
            ? context.h.resourceUrl({ resourceId })
            : outcome.then === 'show' && target
              ? context.h.recordActionUrl({ resourceId, recordId: String(target), actionName: 'show' })
              : undefined;
        return {
          ...(recordJson ? { record: recordJson } : {}),
          notice: { message: outcome.message, type: 'success' },
          ...(outcome.secret ? { secret: outcome.secret } : {}),
          ...(redirectUrl && !outcome.secret ? { redirectUrl } : {}),
        };
      } catch (err) {
        const refusal = refusalOf(err);
        return {
          ...(recordJson ? { record: recordJson } : {}),
          notice: { message: refusal.message, type: 'error' },
          errors: refusal.fields,
        };
      }
    },
  };
}

/**
 * A record action that takes no input but a confirmation: the form shows `intro` and one button, `run` does
 * the change, and the record's page follows with `message`.
 */
export function confirmAction(spec: {
  icon: string;
  permission: [string, string];
  intro: string;
  message: string;
  variant?: 'danger' | 'primary';
  run(actor: Actor, recordId: string): Promise<unknown>;
}) {
  return formAction({
    actionType: 'record',
    icon: spec.icon,
    permission: spec.permission,
    intro: spec.intro,
    ...(spec.variant ? { variant: spec.variant } : {}),
    async run(actor, _payload, record) {
      await spec.run(actor, String(record!.id()));
      return { message: spec.message, then: 'show' };
    },
  });
}

/** An ISO date-time from a form field, undefined when empty. */
export const optionalText = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/** A list from a multi-line (or comma-separated) text field, or an array as posted. */
export function listOf(value: unknown): string[] {
  if (Array.isArray(value))
    return value
      .map(String)
      .map((s) => s.trim())
      .filter(Boolean);
  if (typeof value !== 'string') return [];
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export const isChecked = (value: unknown): boolean => value === true || value === 'true' || value === 'on';
