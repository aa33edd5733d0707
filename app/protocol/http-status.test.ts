import { describe, expect, test } from 'vitest';
import { httpErrorResponse, statusText } from './http-status.ts';

describe('HTTP error answers to a handshake', () => {
  test('carry the status line, the extra headers first, and the body length in UTF-8 bytes', () => {
    expect(httpErrorResponse(503, 'bientôt', { 'Retry-After': '5' })).toBe(
      'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nConnection: close\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\nContent-Length: 9\r\n\r\nbientôt\n',
    );
  });

  test('every status the servers send has its RFC 9110 reason phrase; others read Error', () => {
    expect([400, 401, 403, 404, 426, 429, 431, 500, 503].map(statusText)).toEqual([
      'Bad Request',
      'Unauthorized',
      'Forbidden',
      'Not Found',
      'Upgrade Required',
      'Too Many Requests',
      'Request Header Fields Too Large',
      'Internal Server Error',
      'Service Unavailable',
    ]);
    expect(statusText(418)).toBe('Error');
  });
});
