import React, { useState } from 'react';
import {
  Badge,
  Box,
  Button,
  FormGroup,
  H2,
  Input,
  Label,
  MessageBox,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Text,
} from '@adminjs/design-system';
import { useTranslation } from 'adminjs';
import { api, messageOf } from './api.js';

interface Step {
  check: string;
  passed: boolean;
  grant: string | null;
  grant_kind: string | null;
  super_admin_rule: string | null;
  roles: { id: string; name: string }[];
  detail: string;
}

interface Explanation {
  permission: string;
  allowed: boolean;
  reason: string;
  summary: string;
  two_factor_session_required: boolean;
  permission_exists: boolean;
  steps: Step[];
}

/** The permission explainer: who, what, and the answer with every check and the rule that decided it. */
const ExplainPage: React.FC = () => {
  const { translateMessage, translateLabel } = useTranslation();
  const [kind, setKind] = useState<'user' | 'api_key'>('user');
  const [subject, setSubject] = useState('');
  const [permission, setPermission] = useState('');
  const [answer, setAnswer] = useState<Explanation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const ask = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setAnswer(null);
    try {
      const response = await api.getPage({
        pageName: 'explain',
        method: 'post',
        data: { kind, subject, permission },
      });
      const data = response.data as { explanation?: Explanation; error?: string };
      if (data.error) setError(data.error);
      else setAnswer(data.explanation ?? null);
    } catch (err) {
      setError(messageOf(err, translateMessage('actionFailed')));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box variant="grey" data-testid="explain-page">
      <Box variant="container">
        <H2>{translateLabel('explain')}</H2>
        <Text mb="xl">{translateMessage('explainIntro')}</Text>
        <Box as="form" onSubmit={ask}>
          <FormGroup>
            <Label htmlFor="explain-kind">{translateMessage('explainWho')}</Label>
            <Input
              as="select"
              id="explain-kind"
              data-testid="explain-kind"
              value={kind}
              onChange={(e: React.ChangeEvent<HTMLSelectElement>) =>
                setKind(e.target.value as 'user' | 'api_key')
              }
            >
              <option value="user">{translateMessage('explainUser')}</option>
              <option value="api_key">{translateMessage('explainApiKey')}</option>
            </Input>
          </FormGroup>
          <FormGroup>
            <Label htmlFor="explain-subject" required>
              {kind === 'user' ? translateMessage('explainUserHint') : translateMessage('explainKeyHint')}
            </Label>
            <Input
              id="explain-subject"
              data-testid="explain-subject"
              width={1}
              value={subject}
              onChange={(e: React.ChangeEvent<HTMLInputElement>) => setSubject(e.target.value)}
            />
          </FormGroup>
          <FormGroup>
            <Label htmlFor="explain-permission" required>
              {translateMessage('explainPermission')}
            </Label>
            <Input
              id="explain-permission"
              data-testid="explain-permission"
              width={1}
              placeholder="users:write"
              value={permission}
              onChange={(e: React.ChangeEvent<HTMLInputElement>) => setPermission(e.target.value)}
            />
          </FormGroup>
          <Button type="submit" variant="contained" disabled={busy} data-testid="explain-submit">
            {translateMessage('explainAsk')}
          </Button>
        </Box>
        {error ? <MessageBox mt="xl" variant="danger" message={error} data-testid="explain-error" /> : null}
        {answer ? (
          <Box mt="xl" data-testid="explain-answer">
            <MessageBox
              variant={answer.allowed ? 'success' : 'danger'}
              message={`${answer.allowed ? translateMessage('explainAllowed') : translateMessage('explainDenied')}: ${answer.summary}`}
              data-testid={answer.allowed ? 'explain-allowed' : 'explain-denied'}
            />
            {answer.two_factor_session_required ? (
              <Text mt="lg">{translateMessage('explainTwoFactor')}</Text>
            ) : null}
            {!answer.permission_exists ? (
              <Text mt="lg">{translateMessage('explainUnknownPermission')}</Text>
            ) : null}
            <Box style={{ overflowX: 'auto' }} mt="lg">
              <Table>
                <TableHead>
                  <TableRow>
                    <TableCell>{translateMessage('explainCheck')}</TableCell>
                    <TableCell>{translateMessage('explainResult')}</TableCell>
                    <TableCell>{translateMessage('explainRule')}</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {answer.steps.map((step) => (
                    <TableRow key={step.check} data-testid={`explain-step-${step.check}`}>
                      <TableCell>{step.check}</TableCell>
                      <TableCell>
                        <Badge variant={step.passed ? 'success' : 'danger'}>{step.passed ? '✓' : '✗'}</Badge>
                      </TableCell>
                      <TableCell>
                        {step.detail}
                        {step.grant ? ` (${step.grant}${step.grant_kind ? `, ${step.grant_kind}` : ''})` : ''}
                        {step.roles.length ? ` · ${step.roles.map((r) => r.name).join(', ')}` : ''}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </Box>
          </Box>
        ) : null}
      </Box>
    </Box>
  );
};

export default ExplainPage;
