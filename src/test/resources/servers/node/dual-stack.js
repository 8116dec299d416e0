// A tiny HTTP server on [::]:PORT, dual-stack: ipv6Only: false makes libuv set IPV6_V6ONLY=0
// before bind(), so IPv4 clients reach it too (as ::ffff:a.b.c.d). Usage: node dual-stack.js PORT
'use strict';
const http = require('http');

const port = Number(process.argv[2]);
http.createServer((request, response) => {
  response.end('node ok from ' + request.socket.remoteAddress + '\n');
}).listen({ host: '::', port, ipv6Only: false }, () => {
  console.log('node listening on [::]:' + port);
});
