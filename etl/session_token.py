"""The signed sign-in token that lets a password session survive a reload or a new tab (docs/access.md).

After a password sign-in the browser keeps a cookie (app/signin.py) holding

    base64url(JSON {"u": user name, "s": session id, "e": expiry (Unix seconds), "p": password digest}) "." HMAC

signed (HMAC-SHA256) with a server secret kept beside the users file (`secret_path`: users.toml ->
users.secret, made on first use, readable by its owner only). Never the password, never an unsigned
name: a token changed by one character, made with another secret, past its expiry, of a removed
user or of an older password (its digest of the password hash differs) is refused. Signing out
ends the session id in the audit trail (etl.audit.session_ended), so the same token is refused
afterwards even though it has not expired.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

SECRET_BYTES = 32


class TokenError(ValueError):
    """Why a token is refused: its text is one of REASONS."""


REASONS = ("malformed", "signature", "expired", "unknown_user", "password_changed")


@dataclass(frozen=True)
class Claims:
    name: str
    session: str  # a random id: the audit trail says whether this session was ended
    expires: int  # Unix seconds
    password: str  # digest of the user's password hash when the token was made


def secret_path(users_file: Path) -> Path:
    """The server secret beside the users file: users.toml -> users.secret."""
    return users_file.with_name(users_file.stem + ".secret")


def load_secret(path: Path) -> bytes:
    """The secret, made (random, owner-only) when there is none; deleting the file ends every token."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        text = ""
    if len(text) >= 2 * SECRET_BYTES:
        return bytes.fromhex(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    made = secrets.token_hex(SECRET_BYTES)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it meanwhile (or an empty file): read that one
        text = path.read_text(encoding="ascii").strip()
        if len(text) >= 2 * SECRET_BYTES:
            return bytes.fromhex(text)
        descriptor = os.open(path, os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as out:
        out.write(made + "\n")
    return bytes.fromhex(made)


def password_digest(password_hash: str) -> str:
    """A short digest of the user's password hash: a new password ends the tokens made before it."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


def _sign(secret: bytes, body: str) -> str:
    return hmac.new(secret, body.encode("ascii"), hashlib.sha256).hexdigest()


def issue(secret: bytes, name: str, password_hash: str, expires: int, session: str | None = None) -> tuple[str, Claims]:
    """A token for `name` valid until `expires` (Unix seconds), and its claims."""
    claims = Claims(name, session or secrets.token_urlsafe(16), int(expires), password_digest(password_hash))
    payload = json.dumps(
        {"u": claims.name, "s": claims.session, "e": claims.expires, "p": claims.password},
        separators=(",", ":"),
        ensure_ascii=True,
    )
    body = base64.urlsafe_b64encode(payload.encode("ascii")).decode("ascii").rstrip("=")
    return f"{body}.{_sign(secret, body)}", claims


def read(secret: bytes, token: str, now: float, password_hashes: dict[str, str]) -> Claims:
    """The claims of a token made with `secret`, unexpired at `now`, of a user in `password_hashes`
    (name -> hash) whose password has not changed since; else TokenError(reason)."""
    body, dot, signature = token.partition(".")
    if not dot or not body or not signature:
        raise TokenError("malformed")
    if not hmac.compare_digest(_sign(secret, body), signature):
        raise TokenError("signature")
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        claims = Claims(str(payload["u"]), str(payload["s"]), int(payload["e"]), str(payload["p"]))
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise TokenError("malformed") from exc
    if now >= claims.expires:
        raise TokenError("expired")
    if claims.name not in password_hashes:
        raise TokenError("unknown_user")
    if not hmac.compare_digest(password_digest(password_hashes[claims.name]), claims.password):
        raise TokenError("password_changed")
    return claims
