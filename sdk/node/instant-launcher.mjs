// keyward's launcher for Instant API projects (npm `@instant.dev/api`): one file, no
// dependencies but the project's own `@instant.dev/api`.
//
// keyward starts it for a package whose manifest is in the seed's shape and has no
// `run` (or says `"run": ["keyward:instant-api"]`): it is built into keyward and run as
// `node --input-type=module --eval <this file>` in the package's folder. To run it from
// a file instead, copy it into the package and write `"run": ["node", "./instant-launcher.mjs"]`.
//
// What it does, so an Instant API project runs unchanged under `keyward serve`:
//
// - Loads `functions/` (and `www/`) with the project's own `@instant.dev/api` Gateway.
// - Reads the keys keyward granted once, at start (keyward restarts it when the grants
//   change), however the run delivers them: the run socket, $CREDENTIALS_DIRECTORY,
//   or the environment. The values are then removed from `process.env`: functions get
//   them only through `context.keychain.key(NAME)`, as on the hosted platform.
// - Fills the framework's keychain data for every request: `keychain_keys` holds the
//   granted values, `required_keys` names every key the package requested. So
//   `context.keychain.key(NAME)` returns a granted value; for a requested key that was
//   not granted (an optional one) it throws the framework's own "400: This function
//   requires the keychain key ..., which has not been provided."; for a key the package
//   never requested, "400: ... which it has not requested permission to access." (A
//   required key that is not granted never gets here: the gateway refuses the call.)
// - Serves the framework's MCP endpoint (`POST /server.mcp`, streamable HTTP). Its
//   tools are only the endpoints keyward enabled ($KEYWARD_ENDPOINTS): its tool calls
//   go to this server directly, not through the gateway, so a disabled endpoint is
//   neither listed nor callable as a tool ("No such tool").
// - Listens on $HOST:$PORT (keyward gives 127.0.0.1 and a free port; 8170 by default).

import dns from 'node:dns';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';

const dir = process.env.KEYWARD_PACKAGE_DIR || process.cwd();
const HOST = process.env.HOST || '127.0.0.1';
const PORT = parseInt(process.env.PORT || '8170', 10);

function fail(message) {
  process.stderr.write(`keyward instant-api launcher: ${message}\n`);
  process.exit(1);
}

// The framework's MCP tool calls go to http://localhost:PORT: make that the IPv4
// address it listens on.
dns.setDefaultResultOrder('ipv4first');

const requireHere = createRequire(path.join(dir, 'package.json'));
let InstantAPI;
try {
  InstantAPI = requireHere('@instant.dev/api');
} catch (e) {
  fail(`${dir} is not an Instant API project with its dependencies installed ` +
    `(cannot load @instant.dev/api: ${e.message}); run \`npm install\` there, then ` +
    're-install the package in keyward');
}

function names(variable) {
  return (process.env[variable] || '').split(',').filter(Boolean);
}

// One JSON line over the run socket (deliver: socket).
function fromSocket(socket, token, name) {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(socket);
    let buf = '';
    s.on('connect', () => s.write(JSON.stringify({ token, key: name }) + '\n'));
    s.on('data', (d) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i < 0) return;
      s.destroy();
      let answer;
      try {
        answer = JSON.parse(buf.slice(0, i));
      } catch (e) {
        return reject(new Error('the run socket answered something that is not one JSON line'));
      }
      if (typeof answer.value === 'string') return resolve(answer.value);
      if (typeof answer.value_b64 === 'string') return resolve(Buffer.from(answer.value_b64, 'base64'));
      if (answer.error && answer.error.code === 'not-granted') return resolve(undefined);
      reject(new Error(`keyward refused key "${name}": ${(answer.error || {}).message}`));
    });
    s.on('error', (e) => reject(new Error(`cannot reach the run socket ${socket}: ${e.message}`)));
  });
}

async function lookup(name) {
  const socket = process.env.KEYWARD_SOCKET;
  const token = process.env.KEYWARD_RUN_TOKEN;
  if (socket && token) return fromSocket(socket, token, name);
  const creds = process.env.CREDENTIALS_DIRECTORY;
  if (creds) {
    try {
      return fs.readFileSync(path.join(creds, name), 'utf8');
    } catch (e) {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    }
  }
  return process.env[name];
}

// The requested keys, with their descriptions from the manifest when it has them.
function requested() {
  const described = {};
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'instant.package.json'), 'utf8'));
    const listed = m.keys || [...((m.keychain || {}).required || []), ...((m.keychain || {}).optional || [])];
    for (const k of listed) {
      if (k && typeof k === 'object' && typeof k.name === 'string') described[k.name] = k.description;
    }
  } catch (e) {
    // Descriptions are only shown to the function; the names come from keyward.
  }
  return names('KEYWARD_KEYS').map((name) => ({ name, description: described[name] || '' }));
}

// "METHOD /path" patterns as keyward writes them (`:param` or `[param]` one segment, a
// last `*` the rest); null means every endpoint.
function enabledEndpoints() {
  const raw = process.env.KEYWARD_ENDPOINTS;
  if (raw === undefined || raw === '*') return null;
  try {
    const list = JSON.parse(raw);
    return Array.isArray(list) ? list.filter((e) => typeof e === 'string') : [];
  } catch (e) {
    return [];
  }
}

function allowed(list, method, route) {
  if (list === null) return true;
  const trim = (p) => p.replace(/\/+$/, '') || '/';
  const got = trim(route).split('/');
  return list.some((spec) => {
    const [m, p] = spec.split(' ');
    if (!(m === '*' || m === method || (method === 'HEAD' && m === 'GET'))) return false;
    const pat = trim(p || '').split('/');
    for (let i = 0; ; i++) {
      if (i >= pat.length && i >= got.length) return true;
      if (pat[i] === '*' && i < got.length) return true;
      if (i >= pat.length || i >= got.length) return false;
      const param = (pat[i].startsWith(':') && pat[i].length > 1) ||
        (pat[i].startsWith('[') && pat[i].endsWith(']') && pat[i].length > 2);
      if ((!param || got[i] === '') && pat[i] !== got[i]) return false;
    }
  });
}

const keys = {};
for (const name of names('KEYWARD_KEYS')) {
  let value;
  try {
    value = await lookup(name);
  } catch (e) {
    fail(`cannot read key "${name}": ${e.message}`);
  }
  if (value !== undefined && value !== null) keys[name] = value;
}
// Functions read keys through context.keychain only; children do not inherit them,
// nor the way to them (the socket's token, the credentials folder and its files).
for (const name of names('KEYWARD_KEYS')) {
  delete process.env[name];
  delete process.env[`${name}_FILE`];
}
delete process.env.KEYWARD_RUN_TOKEN;
delete process.env.CREDENTIALS_DIRECTORY;

const required = requested();
const endpoints = enabledEndpoints();
let manifestName = 'instant-api';
let manifestVersion = '1.0';
try {
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'instant.package.json'), 'utf8'));
  manifestName = m.name || manifestName;
  manifestVersion = m.version || manifestVersion;
} catch (e) {
  // keyward has parsed the manifest already; the names are only the MCP server's.
}

// The MCP endpoint's tools: only the endpoints keyward enabled.
const wellKnowns = InstantAPI.wellKnowns;
const enabledDefinitions = (definitions) => {
  if (endpoints === null) return definitions;
  const out = {};
  for (const [k, d] of Object.entries(definitions)) {
    const tool = wellKnowns.generateJSONSchema({ [k]: d })[0];
    if (!tool || allowed(endpoints, tool.method, tool.route)) out[k] = d;
  }
  return out;
};

class KeywardGateway extends InstantAPI.Gateway {
  // The MCP endpoint lists and calls the definitions it is given: only enabled ones.
  findDefinition(definitions, name, method, fromHttp) {
    const found = super.findDefinition(definitions, name, method, fromHttp);
    if (found && found.mcpEndpoint) return { ...found, definitions: enabledDefinitions(found.definitions) };
    return found;
  }

  // The framework builds each request's `data` here; keyward adds the keychain.
  resolve(req, res, buffer, callback) {
    return super.resolve(req, res, buffer, (err, definition, data, buf) => {
      if (data) {
        data.keychain_keys = { ...keys };
        data.required_keys = required.map((k) => ({ ...k }));
        data.mcpEnabled = true;
        data.mcp_server_name = data.mcp_server_name || manifestName;
        data.mcp_server_version = data.mcp_server_version || manifestVersion;
      }
      return callback(err, definition, data, buf);
    });
  }

  // The framework listens on every address; keyward's packages listen on $HOST only.
  listen(port, callback) {
    this.port = port || this.port;
    this.server = http.createServer(this.__httpHandler__.bind(this));
    this.server.on('listening', this.__listening__.bind(this, callback));
    this.server.on('error', (e) => fail(`cannot listen on ${HOST}:${this.port}: ${e.message}`));
    this.server.listen(this.port, HOST);
    return this.server;
  }
}

const gateway = new KeywardGateway({
  port: PORT,
  name: manifestName,
  debug: process.env.KEYWARD_INSTANT_DEBUG === '1',
});
gateway.load(dir);
gateway.listen(PORT);
process.on('SIGTERM', () => {
  gateway.close();
  process.exit(0);
});
