import type { GrantKind } from '../../schemas/rbac.js';

/**
 * Permission grammar: `resource:action`, with wildcards `*:*` (everything), `resource:*` (every
 * action on a resource) and, for dotted actions, prefix forms: `discord:guild.*` covers `discord:guild.ban`
 * and `discord:guild.member.kick`. `*:action` (one action on every resource) is accepted too.
 * Checks go from the most specific grant to the broadest.
 */

/** The grants that would cover `resource:action`, most specific first. */
export function coveringGrants(resource: string, action: string): string[] {
  const grants = [`${resource}:${action}`];
  const parts = action.split('.');
  for (let i = parts.length - 1; i > 0; i -= 1) grants.push(`${resource}:${parts.slice(0, i).join('.')}.*`);
  grants.push(`${resource}:*`, `*:${action}`, '*:*');
  return grants;
}

/**
 * The first of `coveringGrants(resource, action)` that `granted` holds, found without building that list (this
 * runs on every check of every request).
 */
export function matchingGrant(
  granted: ReadonlySet<string>,
  resource: string,
  action: string,
): string | undefined {
  if (granted.size === 0) return undefined;
  let grant = `${resource}:${action}`;
  if (granted.has(grant)) return grant;
  // The dotted prefixes, longest first: `a.b.c` → `a.b.*`, `a.*`.
  for (let dot = action.lastIndexOf('.'); dot >= 0; dot = dot > 0 ? action.lastIndexOf('.', dot - 1) : -1) {
    grant = `${resource}:${action.slice(0, dot)}.*`;
    if (granted.has(grant)) return grant;
  }
  if (granted.has((grant = `${resource}:*`))) return grant;
  if (granted.has((grant = `*:${action}`))) return grant;
  return granted.has('*:*') ? '*:*' : undefined;
}

/** Whether any of `granted` covers `resource:action`. */
export function grants(granted: ReadonlySet<string>, resource: string, action: string): boolean {
  return matchingGrant(granted, resource, action) !== undefined;
}

/** Which form of covering grant `grant` is for `resource:action` (the scope `*` counts as `*:*`). */
export function grantKind(grant: string, resource: string, action: string): GrantKind {
  if (grant === '*:*' || grant === '*') return 'all';
  if (grant === `${resource}:${action}`) return 'exact';
  if (grant === `${resource}:*`) return 'resource_wildcard';
  if (grant === `*:${action}`) return 'action_wildcard';
  return 'prefix';
}

/** Splits `resource:action` at the first colon; undefined when it is not of that form. */
export function parsePermission(name: string): { resource: string; action: string } | undefined {
  const at = name.indexOf(':');
  if (at <= 0 || at === name.length - 1) return undefined;
  return { resource: name.slice(0, at), action: name.slice(at + 1) };
}

/** Whether holding `granted` implies holding `wanted` (used by the escalation guards). */
export function implies(granted: ReadonlySet<string>, wanted: string): boolean {
  if (granted.has(wanted) || granted.has('*:*')) return true;
  const parsed = parsePermission(wanted);
  if (!parsed) return false;
  const { resource, action } = parsed;
  if (resource === '*') return action !== '*' && granted.has(`*:${action}`);
  if (action === '*') return granted.has(`${resource}:*`);
  if (action.endsWith('.*')) {
    // `discord:guild.*` is implied by `discord:*` or a broader dotted wildcard such as `discord:a.*` over `a.b.*`.
    const parts = action.slice(0, -2).split('.');
    for (let i = parts.length - 1; i > 0; i -= 1)
      if (granted.has(`${resource}:${parts.slice(0, i).join('.')}.*`)) return true;
    return granted.has(`${resource}:*`);
  }
  return grants(granted, resource, action);
}
