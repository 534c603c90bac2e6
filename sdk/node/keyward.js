'use strict';
// keyward SDK for Node.js: one file, no dependencies. Copy it into your package.
//
//   const { key } = require('./keyward.js');
//   const stripeKey = key('STRIPE_SECRET_KEY');
//
// key(name) returns the value of a key granted to this package by `keyward run`,
// however the run delivers it: the run socket (deliver: socket), then
// $CREDENTIALS_DIRECTORY (deliver: files), then the environment (deliver: env), so a
// package runs unchanged under every mode. It is synchronous. The value is a string,
// or a Buffer when it is not UTF-8. An optional key the owner did not grant is null.
// It throws a KeywardError when the package never requested the key (it is not in its
// instant.package.json), when a required key was not provided, or when the run socket
// refuses (the grant was revoked during the run, ...).

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

class KeywardError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'KeywardError';
    this.code = code;
  }
}

function names(variable) {
  return (process.env[variable] || '').split(',').filter(Boolean);
}

function notRequested(name) {
  return new KeywardError('not-requested',
    `Key "${name}" was not requested by this package: add it to "keys" in ` +
    'instant.package.json, then re-install the package so the owner can approve it');
}

function notProvided(name) {
  return new KeywardError('not-provided',
    `Required key "${name}" was not provided: run the package with \`keyward run\`; ` +
    `the owner approves the key (keyward approve PACKAGE ${name}) and sets its value ` +
    `(keyward secret set ${name})`);
}

// Node has no synchronous socket API: a child node process (a descendant of the
// package, as the socket requires) makes the one request; the request, which holds
// the run token, goes through its stdin, never its argv.
const CLIENT = `
const net = require('net');
const chunks = [];
process.stdin.on('data', (d) => chunks.push(d)).on('end', () => {
  const s = net.createConnection(process.argv[1]);
  let buf = '';
  s.on('connect', () => s.write(Buffer.concat(chunks)));
  s.on('data', (d) => {
    buf += d;
    const i = buf.indexOf('\\n');
    if (i >= 0) { process.stdout.write(buf.slice(0, i + 1)); s.destroy(); }
  });
  s.on('error', (e) => {
    process.stdout.write(JSON.stringify({ error: { code: 'socket', message:
      'cannot reach the run socket ' + process.argv[1] + ': ' + e.message } }) + '\\n');
  });
});`;

function fromSocket(socket, token, name) {
  const request = JSON.stringify({ token, key: name }) + '\n';
  const out = execFileSync(process.execPath, ['-e', CLIENT, socket], {
    input: request,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let answer;
  try {
    answer = JSON.parse(out.toString('utf8'));
  } catch (e) {
    throw new KeywardError('socket', 'the run socket answered something that is not one JSON line');
  }
  if (typeof answer.value === 'string') return answer.value;
  if (typeof answer.value_b64 === 'string') return Buffer.from(answer.value_b64, 'base64');
  const error = answer.error || {};
  if (error.code === 'not-granted') return undefined;
  throw new KeywardError(error.code || 'socket', `keyward refused key "${name}": ${error.message}`);
}

function text(buffer) {
  const s = buffer.toString('utf8');
  return Buffer.from(s, 'utf8').equals(buffer) ? s : buffer;
}

function lookup(name) {
  const socket = process.env.KEYWARD_SOCKET;
  const token = process.env.KEYWARD_RUN_TOKEN;
  if (socket && token) return fromSocket(socket, token, name);
  const dir = process.env.CREDENTIALS_DIRECTORY;
  if (dir) {
    try {
      return text(fs.readFileSync(path.join(dir, name)));
    } catch (e) {
      if (e.code === 'ENOENT') return undefined;
      throw new KeywardError('files', `cannot read key "${name}" from ${dir}: ${e.message}`);
    }
  }
  return process.env[name];
}

/** The value of the granted key `name` (see the top of this file). */
function key(name) {
  const underKeyward = process.env.KEYWARD_KEYS !== undefined;
  if (underKeyward && !names('KEYWARD_KEYS').includes(name)) throw notRequested(name);
  const value = lookup(name);
  if (value !== undefined) return value;
  const required = !underKeyward || names('KEYWARD_REQUIRED').includes(name);
  if (required) throw notProvided(name);
  return null;
}

module.exports = { key, KeywardError };
