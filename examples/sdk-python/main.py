"""Reads its keys through the keyward SDK (a copy of sdk/python/keyward.py, inside the
package so that it is part of the pinned code) and shows a fingerprint of each, never
the value."""

import hashlib
import os

from keyward import KeywardError, key


def fingerprint(value):
    data = value if isinstance(value, bytes) else value.encode("utf-8")
    return "%d bytes, sha256 %s" % (len(data), hashlib.sha256(data).hexdigest())


mode = "socket" if "KEYWARD_SOCKET" in os.environ else "files" if "CREDENTIALS_DIRECTORY" in os.environ else "env"
print("deliver: " + mode)
print("STRIPE_SECRET_KEY: " + fingerprint(key("STRIPE_SECRET_KEY")))
account = key("STRIPE_ACCOUNT")
print("STRIPE_ACCOUNT: " + ("not given" if account is None else fingerprint(account)))
try:
    key("OPENAI_API_KEY")
except KeywardError as e:
    print("OPENAI_API_KEY: %s: %s" % (e.code, e))
