import { ApiClient } from 'adminjs';

/** The panel's HTTP client: AdminJS's, which sends the session's CSRF token with every change. */
export const api = new ApiClient();

/** What a failed panel request says, for a person: the server's message when it sent one. */
export function messageOf(error: unknown, fallback: string): string {
  const data = (
    error as { response?: { data?: { error?: { message?: string }; notice?: { message?: string } } } }
  )?.response?.data;
  return data?.error?.message ?? data?.notice?.message ?? fallback;
}

/** The CSRF token for requests the panel's components make with fetch (the live feed's token, exports). */
export function csrfToken(): string {
  const match = /(?:^|;\s*)XSRF-TOKEN=([^;]+)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]!) : '';
}
