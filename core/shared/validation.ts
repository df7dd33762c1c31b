import type { z } from 'zod';
import { AppError } from '../errors/index.js';
import { describeUnsafe, findUnsafeInput } from './input-text.js';

type Issue = z.core.$ZodIssue;

/**
 * Issues that name fields. When no branch of a union matched, the branch meant is the one whose shape fits
 * (no unknown keys at its top level), else the one with the fewest complaints: its issues are reported.
 */
export function fieldIssues(issues: readonly Issue[], prefix: readonly PropertyKey[] = []): Issue[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [{ ...issue, path }];
    const fits = (branch: Issue[]) =>
      !branch.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0);
    const ranked = [...issue.errors].sort((a, b) => Number(fits(b)) - Number(fits(a)) || a.length - b.length);
    return fieldIssues(ranked[0]!, path);
  });
}

/**
 * The one validation error of every entry point (REST, GraphQL): 400 request.validation_failed naming fields.
 * Text PostgreSQL cannot keep and over-deep nesting are refused first, whatever the schema says, so that an
 * accepted request can always be stored together with its audit event.
 */
export function validateInput<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const unsafe = findUnsafeInput(value);
  if (unsafe) {
    throw new AppError('request.validation_failed', 400, `The request ${where} is not valid.`, {
      fields: [
        { in: where, field: unsafe.path.map(String).join('.'), message: describeUnsafe(unsafe.reason) },
      ],
    });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError('request.validation_failed', 400, `The request ${where} is not valid.`, {
    fields: fieldIssues(result.error.issues).map((i) => ({
      in: where,
      field: i.path.map(String).join('.'),
      message: i.message,
    })),
  });
}
