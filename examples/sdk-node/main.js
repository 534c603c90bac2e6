'use strict';
// Reads its keys through the keyward SDK (a copy of sdk/node/keyward.js, inside the
// package so that it is part of the pinned code) and shows a fingerprint of each,
// never the value.
const crypto = require('crypto');
const { key } = require('./keyward.js');

function fingerprint(value) {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  return `${bytes.length} bytes, sha256 ${crypto.createHash('sha256').update(bytes).digest('hex')}`;
}

console.log(`deliver: ${process.env.KEYWARD_SOCKET ? 'socket' : process.env.CREDENTIALS_DIRECTORY ? 'files' : 'env'}`);
console.log(`STRIPE_SECRET_KEY: ${fingerprint(key('STRIPE_SECRET_KEY'))}`);
const account = key('STRIPE_ACCOUNT');
console.log(`STRIPE_ACCOUNT: ${account === null ? 'not given' : fingerprint(account)}`);
try {
  key('OPENAI_API_KEY');
} catch (e) {
  console.log(`OPENAI_API_KEY: ${e.code}: ${e.message}`);
}
