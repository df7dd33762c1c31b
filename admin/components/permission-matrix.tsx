import React, { useEffect, useMemo, useState } from 'react';
import {
  Box,
  Button,
  CheckBox,
  Label,
  MessageBox,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Text,
} from '@adminjs/design-system';
import { useNotice, useTranslation, type ActionProps } from 'adminjs';
import { api, messageOf } from './api.js';

interface CatalogueEntry {
  id: string;
  resource: string;
  action: string;
  description: string | null;
}

interface MatrixData {
  version: string;
  granted: string[];
  catalogue: CatalogueEntry[];
  editable: boolean;
  notice?: { message: string; type: string };
}

/** Which grant of `granted` covers `resource:action` besides the exact one (wildcards), if any. */
function coveredBy(granted: Set<string>, resource: string, action: string): string | undefined {
  if (resource === '*' || action === '*')
    return granted.has('*:*') && `${resource}:${action}` !== '*:*' ? '*:*' : undefined;
  const parts = action.split('.');
  for (let i = parts.length - 1; i > 0; i -= 1) {
    const grant = `${resource}:${parts.slice(0, i).join('.')}.*`;
    if (granted.has(grant)) return grant;
  }
  for (const grant of [`${resource}:*`, `*:${action}`, '*:*']) if (granted.has(grant)) return grant;
  return undefined;
}

/**
 * A role's permissions as a matrix: a row per resource, its actions as boxes, wildcards (`resource:*`,
 * `*:action`, `*:*`) as boxes of their own, and every action a wildcard already grants marked with the grant.
 * Saving sends the whole set with the version it was read at: if someone saved in between, nothing changes and
 * the matrix reloads with their version and a message saying so.
 */
const PermissionMatrix: React.FC<ActionProps> = ({ resource, record, action }) => {
  const { translateMessage } = useTranslation();
  const addNotice = useNotice();
  const [data, setData] = useState<MatrixData | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = (response: { data: unknown }) => {
    const next = response.data as MatrixData;
    setData(next);
    setChosen(new Set(next.granted));
    return next;
  };

  useEffect(() => {
    if (!record) return;
    api
      .recordAction({ resourceId: resource.id, recordId: record.id, actionName: action.name })
      .then(load)
      .catch((err: unknown) => setError(messageOf(err, translateMessage('actionUnavailable'))));
  }, [record?.id]);

  const rows = useMemo(() => {
    const byResource = new Map<string, CatalogueEntry[]>();
    for (const entry of data?.catalogue ?? []) {
      const list = byResource.get(entry.resource) ?? [];
      list.push(entry);
      byResource.set(entry.resource, list);
    }
    return [...byResource.entries()].sort(([a], [b]) =>
      a === '*' ? -1 : b === '*' ? 1 : a.localeCompare(b),
    );
  }, [data]);

  if (!record) return null;
  if (!data) return error ? <MessageBox variant="danger" message={error} /> : <Text>…</Text>;

  const toggle = (id: string) =>
    setChosen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const response = await api.recordAction({
        resourceId: resource.id,
        recordId: record.id,
        actionName: action.name,
        method: 'post',
        data: { permission_ids: [...chosen], version: data.version },
      });
      const next = load(response);
      if (next.notice?.type === 'error') setError(translateMessage(next.notice.message));
      else addNotice({ message: translateMessage('permissionsSaved'), type: 'success' });
    } catch (err) {
      setError(messageOf(err, translateMessage('actionFailed')));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box variant="container" data-testid="permission-matrix">
      {error ? <MessageBox mb="xl" variant="danger" message={error} data-testid="matrix-error" /> : null}
      <Box style={{ overflowX: 'auto' }}>
        <Table>
          <TableHead>
            <TableRow>
              <TableCell>{translateMessage('resource')}</TableCell>
              <TableCell>{translateMessage('actionsColumn')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map(([name, entries]) => (
              <TableRow key={name} data-testid={`matrix-row-${name}`}>
                <TableCell>
                  <Text fontWeight="bold" style={{ overflowWrap: 'normal', wordBreak: 'keep-all' }}>
                    {name === '*' ? translateMessage('everyResource') : name}
                  </Text>
                </TableCell>
                <TableCell>
                  <Box flex flexWrap="wrap">
                    {entries
                      .sort((a, b) =>
                        a.action === '*' ? -1 : b.action === '*' ? 1 : a.action.localeCompare(b.action),
                      )
                      .map((entry) => {
                        const via = chosen.has(entry.id)
                          ? undefined
                          : coveredBy(chosen, entry.resource, entry.action);
                        const boxId = `perm-${entry.id}`;
                        return (
                          <Box
                            key={entry.id}
                            flex
                            alignItems="center"
                            mr="xl"
                            mb="sm"
                            title={entry.description ?? entry.id}
                          >
                            <CheckBox
                              id={boxId}
                              data-testid={boxId}
                              checked={chosen.has(entry.id)}
                              disabled={!data.editable}
                              onChange={() => toggle(entry.id)}
                            />
                            <Label inline htmlFor={boxId} ml="sm">
                              {entry.action === '*' ? `${entry.resource}:*` : entry.action}
                              {via ? (
                                <Text as="span" color="grey60">
                                  {' '}
                                  ({translateMessage('via')} {via})
                                </Text>
                              ) : null}
                            </Label>
                          </Box>
                        );
                      })}
                  </Box>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Box>
      {data.editable ? (
        <Box mt="xl">
          <Button variant="contained" disabled={busy} onClick={save} data-testid="matrix-save">
            {translateMessage('savePermissions')}
          </Button>
        </Box>
      ) : null}
    </Box>
  );
};

export default PermissionMatrix;
