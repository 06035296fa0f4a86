// The in-house SMS gateway the dispatcher's webhook provider posts to, as a container of the compose
// stack: POST /sms keeps the message, GET /messages lists them (for the test on the host).
import { createServer } from 'node:http';

const messages = [];
createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    if (request.method === 'POST') {
      messages.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: `compose-${messages.length}` }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(messages));
  });
}).listen(8090, '0.0.0.0');
process.on('SIGTERM', () => process.exit(0));
