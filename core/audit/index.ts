export { createAuditLogger, type AuditLogger } from './logger.js';
