import React, { useEffect, useState } from 'react';
import {
  Box,
  Button,
  CheckBox,
  FormGroup,
  Input,
  Label,
  MessageBox,
  Text,
  TextArea,
} from '@adminjs/design-system';
import { useNotice, useTranslation, type ActionProps } from 'adminjs';
import { useNavigate } from 'react-router-dom';
import { api, messageOf } from './api.js';
import type { FormField } from './form-field.js';

type Values = Record<string, unknown>;

/** A record param as the form shows it: AdminJS sends records flat (`scopes.0`, `scopes.1`). */
function paramOf(params: Record<string, unknown>, name: string): unknown {
  if (name in params) return params[name];
  const items = Object.keys(params)
    .filter((k) => k.startsWith(`${name}.`))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
    .map((k) => params[k]);
  return items.length > 0 ? items : undefined;
}

function initialValue(field: FormField, params: Record<string, unknown>): unknown {
  const raw =
    field.value !== undefined ? field.value : field.fromRecord ? paramOf(params, field.name) : undefined;
  if (field.type === 'checkbox') return raw === true || raw === 'true';
  if (field.type === 'multiselect') return Array.isArray(raw) ? raw.map(String) : [];
  if (field.type === 'lines') return Array.isArray(raw) ? raw.join('\n') : (raw ?? '');
  if (field.type === 'datetime' && typeof raw === 'string' && raw) return raw.slice(0, 16);
  return raw ?? '';
}

/** What is posted: date-times as ISO 8601 in UTC, lists as arrays, empty optional fields left out. */
function outgoing(fields: FormField[], values: Values): Values {
  const out: Values = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.type === 'datetime') {
      if (typeof value === 'string' && value) out[field.name] = new Date(value).toISOString();
    } else if (field.type === 'lines') {
      out[field.name] = String(value ?? '')
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean);
    } else if (field.type === 'number') {
      if (value !== '' && value !== undefined)
        out[field.name] = Number.isNaN(Number(value)) ? value : Number(value);
    } else if (value !== '' || field.required) {
      out[field.name] = value;
    }
  }
  return out;
}

/**
 * The form behind every panel action that takes input or a confirmation: its fields come from the action, it
 * posts to the action, and it shows the outcome: the server's message next to the field at fault, a secret that
 * is shown only once, or the notice on the page the action leads to.
 */
const ActionForm: React.FC<ActionProps> = ({ action, resource, record }) => {
  const { translateMessage, translateProperty, translateAction } = useTranslation();
  const addNotice = useNotice();
  const navigate = useNavigate();
  const [fields, setFields] = useState<FormField[] | null>(null);
  const [values, setValues] = useState<Values>({});
  const [errors, setErrors] = useState<Record<string, { message: string }>>({});
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const custom = (action.custom ?? {}) as { intro?: string | null; variant?: string };

  const call = (method: 'get' | 'post', data?: Values) =>
    record
      ? api.recordAction({
          resourceId: resource.id,
          recordId: record.id,
          actionName: action.name,
          method,
          data,
        })
      : api.resourceAction({ resourceId: resource.id, actionName: action.name, method, data });

  useEffect(() => {
    setFields(null);
    setSecret(null);
    call('get')
      .then((response) => {
        const loaded = ((response.data as { fields?: FormField[] }).fields ?? []) as FormField[];
        setFields(loaded);
        setValues(Object.fromEntries(loaded.map((f) => [f.name, initialValue(f, record?.params ?? {})])));
      })
      .catch((err: unknown) => setError(messageOf(err, translateMessage('actionUnavailable'))));
  }, [action.name, record?.id]);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!fields) return;
    setBusy(true);
    setError(null);
    setErrors({});
    try {
      const response = await call('post', outgoing(fields, values));
      const data = response.data as {
        notice?: { message: string; type: string };
        errors?: Record<string, { message: string }>;
        secret?: string;
        redirectUrl?: string;
      };
      if (data.notice?.type === 'error') {
        setError(translateMessage(data.notice.message));
        setErrors(data.errors ?? {});
      } else if (data.secret) {
        setSecret(data.secret);
        if (data.notice) addNotice({ message: translateMessage(data.notice.message), type: 'success' });
      } else {
        if (data.notice) addNotice({ message: translateMessage(data.notice.message), type: 'success' });
        if (data.redirectUrl) navigate(data.redirectUrl);
      }
    } catch (err) {
      setError(messageOf(err, translateMessage('actionFailed')));
    } finally {
      setBusy(false);
    }
  };

  const set = (name: string, value: unknown) => setValues((v) => ({ ...v, [name]: value }));
  const label = (name: string) => translateProperty(name, resource.id);

  if (secret) {
    return (
      <Box variant="container" data-testid="action-secret-box">
        <MessageBox variant="success" message={translateMessage('secretOnce')} />
        <Box my="xl" p="lg" bg="grey20" style={{ wordBreak: 'break-all', fontFamily: 'monospace' }}>
          <Text data-testid="action-secret">{secret}</Text>
        </Box>
        <Button type="button" onClick={() => navigator.clipboard?.writeText(secret)}>
          {translateMessage('copy')}
        </Button>
      </Box>
    );
  }

  return (
    <Box as="form" variant="container" onSubmit={submit} data-testid="action-form" noValidate>
      {custom.intro ? <Text mb="xl">{translateMessage(custom.intro)}</Text> : null}
      {error ? <MessageBox mb="xl" variant="danger" message={error} data-testid="action-error" /> : null}
      {(fields ?? [])
        .filter((field) => field.type !== 'hidden')
        .map((field) => {
          const value = values[field.name];
          const id = `field-${field.name}`;
          const fieldError = errors[field.name]?.message;
          return (
            <FormGroup key={field.name} error={Boolean(fieldError)}>
              {field.type === 'checkbox' ? null : (
                <Label htmlFor={id} required={field.required}>
                  {label(field.name)}
                </Label>
              )}
              {field.type === 'textarea' || field.type === 'lines' ? (
                <TextArea
                  id={id}
                  data-testid={id}
                  width={1}
                  rows={field.type === 'lines' ? 4 : 3}
                  maxLength={field.maxLength}
                  value={String(value ?? '')}
                  onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => set(field.name, e.target.value)}
                />
              ) : field.type === 'select' ? (
                <Input
                  as="select"
                  id={id}
                  data-testid={id}
                  width={1}
                  value={String(value ?? '')}
                  onChange={(e: React.ChangeEvent<HTMLSelectElement>) => set(field.name, e.target.value)}
                >
                  <option value="">—</option>
                  {(field.options ?? []).map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </Input>
              ) : field.type === 'multiselect' ? (
                <Box data-testid={id}>
                  {(field.options ?? []).map((o) => {
                    const chosen = Array.isArray(value) && value.includes(o.value);
                    return (
                      <Box key={o.value} flex alignItems="center" mb="sm">
                        <CheckBox
                          id={`${id}-${o.value}`}
                          checked={chosen}
                          onChange={() =>
                            set(
                              field.name,
                              chosen
                                ? (value as string[]).filter((v) => v !== o.value)
                                : [...((value as string[]) ?? []), o.value],
                            )
                          }
                        />
                        <Label inline htmlFor={`${id}-${o.value}`} ml="default">
                          {o.label}
                        </Label>
                      </Box>
                    );
                  })}
                </Box>
              ) : field.type === 'checkbox' ? (
                <Box flex alignItems="center">
                  <CheckBox
                    id={id}
                    data-testid={id}
                    checked={value === true}
                    onChange={() => set(field.name, value !== true)}
                  />
                  <Label inline htmlFor={id} ml="default">
                    {label(field.name)}
                  </Label>
                </Box>
              ) : (
                <Input
                  id={id}
                  data-testid={id}
                  width={1}
                  type={
                    field.type === 'datetime' ? 'datetime-local' : field.type === 'number' ? 'number' : 'text'
                  }
                  maxLength={field.maxLength}
                  value={String(value ?? '')}
                  onChange={(e: React.ChangeEvent<HTMLInputElement>) => set(field.name, e.target.value)}
                />
              )}
              {fieldError ? (
                <Text color="error" mt="sm" data-testid={`${id}-error`}>
                  {fieldError}
                </Text>
              ) : null}
            </FormGroup>
          );
        })}
      <Button
        type="submit"
        variant={custom.variant === 'danger' ? 'danger' : 'contained'}
        disabled={busy || fields === null}
        data-testid="action-submit"
      >
        {translateAction(action.name, resource.id)}
      </Button>
    </Box>
  );
};

export default ActionForm;
