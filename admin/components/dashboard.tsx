import React from 'react';
import { Box, H2 } from '@adminjs/design-system';

const Dashboard: React.FC = () => (
  <Box padding="xl">
    <H2>Dashboard</H2>
  </Box>
);

export default Dashboard;
