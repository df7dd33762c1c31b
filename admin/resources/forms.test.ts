import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { z } from 'zod';
import { SETTINGS } from '../../schemas/settings.js';
import { filtersOf } from '../http/audit-export.js';
import { auditFilters } from './audit.js';
import { listOf } from './actions.js';
import { valueKind } from './settings.js';

describe('panel form and filter input', () => {
  it('AdminJS filter parameters become list filters, ranges included; other parameters are ignored', () => {
    expect(
      filtersOf({
        'filters.status': 'failure',
        'filters.created_at~~from': '2026-01-01',
        'filters.created_at~~to': '2026-02-01',
        'filters.empty': '',
        page: '2',
      }),
    ).toEqual({ status: 'failure', created_at: { from: '2026-01-01', to: '2026-02-01' } });
  });

  it('audit filters from any query parameters are strings the audit search validates, never an exception', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 30 }), fc.oneof(fc.string(), fc.integer(), fc.constant(null))),
        (query) => {
          const filters = auditFilters({ filters: filtersOf(query) });
          for (const value of Object.values(filters)) expect(typeof value).toBe('string');
        },
      ),
    );
  });

  it('a list field takes lines or commas, trims, and drops empties', () => {
    expect(listOf('a\n b ,c,,\n')).toEqual(['a', 'b', 'c']);
    expect(listOf(['x', ' y '])).toEqual(['x', 'y']);
    expect(listOf(undefined)).toEqual([]);
    fc.assert(
      fc.property(fc.string(), (text) =>
        expect(listOf(text).every((s) => s.length > 0 && s === s.trim())).toBe(true),
      ),
    );
  });

  it('each built-in setting is edited as its type: switch, number, text, or JSON', () => {
    const kinds = Object.fromEntries(
      Object.entries(SETTINGS).map(([key, d]) => [
        key,
        valueKind(z.toJSONSchema(d.schema) as Record<string, unknown>),
      ]),
    );
    expect(kinds).toEqual({
      'site.name': 'string',
      'site.support_email': 'string',
      'accounts.registration_open': 'boolean',
      'security.session_ttl_hours': 'integer',
      'maintenance.enabled': 'boolean',
      'maintenance.message': 'text',
      'gps.retention_days': 'integer',
    });
    expect(valueKind(null)).toBe('json');
  });
});
