import React from 'react';
import { Box, Button, H2, MessageBox, Text } from '@adminjs/design-system';
import { useTranslation } from 'adminjs';

declare global {
  interface Window {
    __APP_STATE__?: { errorMessage?: string | null };
  }
}

/**
 * The panel's sign-in page: no password form, one way in, through Heimdall ID. Shown before the first sign-in,
 * after signing out, and with the reason when a sign-in was refused.
 */
const Login: React.FC = () => {
  const { translateMessage } = useTranslation();
  const error = window.__APP_STATE__?.errorMessage;
  return (
    <Box flex alignItems="center" justifyContent="center" height="100%" padding="lg" bg="grey20">
      <Box bg="white" padding="xxl" width={[1, 1, '480px']} boxShadow="login" data-testid="admin-login">
        <H2>{translateMessage('signInTitle')}</H2>
        <Text mb="xl">{translateMessage('signInIntro')}</Text>
        {error ? <MessageBox my="lg" message={translateMessage(error)} variant="danger" /> : null}
        <Button as="a" href="/admin/login/start" variant="contained" data-testid="admin-sign-in">
          {translateMessage('signInWithHeimdall')}
        </Button>
      </Box>
    </Box>
  );
};

export default Login;
