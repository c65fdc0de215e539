// Preloaded (node --import) into a child process and, through execArgv, into its worker threads:
// every way Node reaches the network throws and leaves a mark on stderr, so a test can prove that
// the OCR path asks for nothing.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

const refuse = (what) => () => {
  process.stderr.write(`NETWORK ATTEMPT: ${what}\n`);
  throw new Error(`network access refused in this test: ${what}`);
};
globalThis.fetch = refuse('fetch');
net.Socket.prototype.connect = refuse('net.connect');
http.request = refuse('http.request');
http.get = refuse('http.get');
https.request = refuse('https.request');
https.get = refuse('https.get');
dns.lookup = refuse('dns.lookup');
dns.promises.lookup = refuse('dns.promises.lookup');
