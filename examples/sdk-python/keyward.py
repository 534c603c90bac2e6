"""keyward SDK for Python: one file, no dependencies. Copy it into your package.

    from keyward import key
    stripe_key = key("STRIPE_SECRET_KEY")

key(name) returns the value of a key granted to this package by `keyward run`, however
the run delivers it: the run socket (deliver: socket), then $CREDENTIALS_DIRECTORY
(deliver: files), then the environment (deliver: env), so a package runs unchanged
under every mode. The value is a str, or bytes when it is not UTF-8. An optional key
the owner did not grant is None. It raises KeywardError when the package never
requested the key (it is not in its instant.package.json), when a required key was not
provided, or when the run socket refuses (the grant was revoked during the run, ...).
"""

import base64
import json
import os
import socket

__all__ = ["key", "KeywardError"]


class KeywardError(Exception):
    """A key could not be given: `code` says why, the message what to do."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def _names(variable):
    return [n for n in os.environ.get(variable, "").split(",") if n]


def _not_requested(name):
    return KeywardError(
        "not-requested",
        'Key "%s" was not requested by this package: add it to "keys" in '
        "instant.package.json, then re-install the package so the owner can approve it" % name,
    )


def _not_provided(name):
    return KeywardError(
        "not-provided",
        'Required key "%s" was not provided: run the package with `keyward run`; the owner '
        "approves the key (keyward approve PACKAGE %s) and sets its value (keyward secret set %s)"
        % (name, name, name),
    )


def _text(data):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def _from_socket(path, token, name):
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(30)
            conn.connect(path)
            conn.sendall((json.dumps({"token": token, "key": name}) + "\n").encode())
            line = conn.makefile("rb").readline()
    except OSError as e:
        raise KeywardError("socket", "cannot reach the run socket %s: %s" % (path, e)) from None
    try:
        answer = json.loads(line)
    except ValueError:
        raise KeywardError("socket", "the run socket answered something that is not one JSON line") from None
    if isinstance(answer.get("value"), str):
        return answer["value"]
    if isinstance(answer.get("value_b64"), str):
        return base64.b64decode(answer["value_b64"])
    error = answer.get("error") or {}
    if error.get("code") == "not-granted":
        return None
    raise KeywardError(error.get("code", "socket"), 'keyward refused key "%s": %s' % (name, error.get("message")))


def _lookup(name):
    path, token = os.environ.get("KEYWARD_SOCKET"), os.environ.get("KEYWARD_RUN_TOKEN")
    if path and token:
        return _from_socket(path, token, name)
    folder = os.environ.get("CREDENTIALS_DIRECTORY")
    if folder:
        try:
            with open(os.path.join(folder, name), "rb") as f:
                return _text(f.read())
        except FileNotFoundError:
            return None
        except OSError as e:
            raise KeywardError("files", 'cannot read key "%s" from %s: %s' % (name, folder, e)) from None
    value = os.environb.get(name.encode()) if os.supports_bytes_environ else os.environ.get(name)
    return _text(value) if isinstance(value, bytes) else value


def key(name):
    """The value of the granted key `name` (see the module's documentation)."""
    under_keyward = "KEYWARD_KEYS" in os.environ
    if under_keyward and name not in _names("KEYWARD_KEYS"):
        raise _not_requested(name)
    value = _lookup(name)
    if value is not None:
        return value
    if not under_keyward or name in _names("KEYWARD_REQUIRED"):
        raise _not_provided(name)
    return None
