export { AppError, assert, notFound, type ErrorDetails } from './app-error.js';
