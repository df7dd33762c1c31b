/**
 * The policy pages Heimdall serves at /policies/<page>, in the order they are listed and linked. The layout's
 * footer, the configuration's per-page URLs and the pages themselves all follow this one list.
 */
export const POLICY_PAGES = ['privacy', 'terms', 'cookies', 'security', 'faq'] as const;
export type PolicyPage = (typeof POLICY_PAGES)[number];

export const isPolicyPage = (name: string): name is PolicyPage =>
  (POLICY_PAGES as readonly string[]).includes(name);
