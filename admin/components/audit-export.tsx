import React from 'react';
import { Box, Button, Text } from '@adminjs/design-system';
import { useTranslation } from 'adminjs';

/**
 * The audit log's export: a CSV of the events the list's filters select, streamed by the server (never loaded
 * whole), every column of the log, newest first. The filters come along in the address.
 */
const AuditExport: React.FC = () => {
  const { translateMessage } = useTranslation();
  const search = new URLSearchParams(window.location.search);
  const filters = new URLSearchParams();
  for (const [key, value] of search) if (key.startsWith('filters.')) filters.set(key, value);
  const chosen = [...filters.keys()].map((k) => k.slice('filters.'.length).replace('~~', ' '));
  return (
    <Box variant="container" data-testid="audit-export">
      <Text mb="lg">{translateMessage('exportIntro')}</Text>
      <Text mb="xl" color="grey60">
        {chosen.length
          ? `${translateMessage('exportFilters')}: ${chosen.join(', ')}`
          : translateMessage('exportAll')}
      </Text>
      <Button
        as="a"
        variant="contained"
        href={`/admin/export/audit.csv?${filters.toString()}`}
        download
        data-testid="audit-export-link"
      >
        {translateMessage('exportDownload')}
      </Button>
    </Box>
  );
};

export default AuditExport;
