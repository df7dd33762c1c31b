#!/bin/sh
# Stands in for Prisma's schema-engine binary, which cannot be downloaded here and must never run anyway:
# knex migrations own all DDL. `prisma generate` and `prisma format` only check that this path exists.
echo "Heimdall does not use Prisma's schema engine: run 'npx heimdall migrate up' (knex) instead." >&2
exit 1
