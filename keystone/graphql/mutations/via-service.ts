import { requirePermission, requireSignedIn } from '../../../core/auth/guards.js';
import type { Actor } from '../../../core/shared/actor.js';
import { actorFrom } from '../../session.js';
import type { Context } from '../builder.js';
import { readBack, type Item, type ListKey } from './common.js';

/** One mutation done the way REST does it; see viaService. */
export interface ServiceMutation<Input, Result, Answer> {
  /** A permission needed beyond being signed in, checked before the arguments are. */
  permission?: readonly [resource: string, action: string];
  /** The arguments as REST's body, validated by REST's schema (schemaInput). */
  input?: () => Input;
  /** The service call REST makes. */
  run: (actor: Actor, input: Input) => Promise<Result>;
  /** The item to answer with: its list, and its id (from the service's result). */
  readBack: readonly [list: ListKey, id: (result: Result) => string];
  /** The answer around the item, for mutations that answer more than the item (a new secret, say). */
  answer?: (item: Item | null, result: Result) => Answer;
}

/**
 * A mutation's resolver body: the caller must be signed in (and hold `permission`), the arguments are
 * validated, the service runs for the caller, and the item is read back through Keystone under the caller's
 * own access rules, so the selection resolves with Keystone's resolvers (null when they may not see it).
 */
export async function viaService<Input = undefined, Result = unknown, Answer = Item | null>(
  context: Context,
  mutation: ServiceMutation<Input, Result, Answer>,
): Promise<Answer> {
  const { session } = context;
  requireSignedIn(session);
  if (mutation.permission) requirePermission(session, ...mutation.permission);
  const input = mutation.input ? mutation.input() : (undefined as Input);
  const result = await mutation.run(actorFrom(session), input);
  const [list, idOf] = mutation.readBack;
  const item = await readBack(context, list, idOf(result));
  return mutation.answer ? mutation.answer(item, result) : (item as Answer);
}
