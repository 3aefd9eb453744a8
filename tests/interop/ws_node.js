// Node's ws (Debian node-ws) as a peer of pier's WebSocket, for ws_peers.sh.
//
//   ws_node.js client URL COUNT deflate|plain   sends COUNT messages at once, text and binary by
//                                               turns, and checks each echo (order, type, bytes)
//   ws_node.js server deflate|plain             an echo server on 127.0.0.1, port 0; prints
//                                               "port N", then per connection the extensions
//                                               it agreed to
// Exit 0 when every check held; a message on stderr and exit 1 otherwise. Every wait is bounded.
'use strict';
const WebSocket = require('ws');

const [mode, ...args] = process.argv.slice(2);
const fail = (what) => {
  console.error('ws_node.js: ' + what);
  process.exit(1);
};
setTimeout(() => fail('timed out'), 60000).unref();

// Message i: sizes up to a few KiB, now and then 70,000 bytes (past the 16-bit length) or none
// at all (an empty message after others); bytes that differ per message; odd ones binary with
// every byte value, even ones UTF-8 text.
function message(i) {
  const size = i % 97 === 0 ? 70000 : i % 100 === 50 || i % 100 === 51 ? 0 : (i * 37) % 3000;
  if (i % 2 === 1) {
    const b = Buffer.alloc(size);
    for (let k = 0; k < size; k++) b[k] = (k * 31 + i) & 0xff;
    return b;
  }
  const alphabet = 'abcdefghé—ü漢字 0123456789';
  if (size === 0) return '';
  let s = `#${i}:`;
  while (s.length < size) s += alphabet[(s.length + i) % alphabet.length];
  return s;
}

if (mode === 'client') {
  const [url, countText, deflate] = args;
  const count = Number(countText);
  const ws = new WebSocket(url, {perMessageDeflate: deflate === 'deflate'});
  let received = 0;
  ws.on('open', () => {
    const agreed = ws.extensions.includes('permessage-deflate');
    if (agreed !== (deflate === 'deflate')) fail(`extensions agreed: '${ws.extensions}'`);
    for (let i = 0; i < count; i++) ws.send(message(i));
  });
  ws.on('message', (data, isBinary) => {
    const want = message(received);
    const wantBinary = typeof want !== 'string';
    if (isBinary !== wantBinary) fail(`message ${received}: binary=${isBinary}`);
    if (!Buffer.from(data).equals(Buffer.from(want))) fail(`message ${received} differs`);
    if (++received === count) ws.close(1000, 'done');
  });
  ws.on('close', (code) => {
    if (received !== count) fail(`closed (${code}) after ${received} of ${count} messages`);
    if (code !== 1000) fail(`close code ${code}`);
    console.log(`ok: ${count} messages echoed (${deflate}, extensions '${ws.extensions}')`);
    process.exit(0);
  });
  ws.on('error', (e) => fail(String(e)));
} else if (mode === 'server') {
  const [deflate] = args;
  const server = new WebSocket.Server({host: '127.0.0.1', port: 0,
                                       perMessageDeflate: deflate === 'deflate'});
  server.on('listening', () => console.log(`port ${server.address().port}`));
  server.on('connection', (ws) => {
    console.log(`extensions '${ws.extensions}' protocol '${ws.protocol}'`);
    ws.on('message', (data, isBinary) => ws.send(data, {binary: isBinary}));
    ws.on('close', (code) => console.log(`closed ${code}`));
    ws.on('error', (e) => console.log(`error ${e.message}`)); // logged; the server goes on
  });
} else {
  fail('usage: ws_node.js client URL COUNT deflate|plain | server deflate|plain');
}
