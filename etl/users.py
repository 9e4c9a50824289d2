"""The users file: who may sign in, with which role and scope, and their password hashes (docs/access.md).

A TOML file (config.users_path(): SERVICE_QC_USERS, else data/users.toml, never in git) with one table per user:

    [users.wang]
    role = "regional"                 # admin | analyst | regional | callcenter | dealer
    regions = ["华东"]                 # regional / callcenter: regions and/or provinces; dealer: dealer_ids
                                      # (a callcenter without any: the national call center, every region)
    provinces = []
    dealer_ids = []
    email = "wang@example.com"        # optional: the e-mail a single sign-on (st.login) account maps to
    uploads = false                   # analyst: may upload files
    password = "$argon2id$..."        # argon2id hash; never the password

No file, or a file without users, means open access on this computer only (app/serve.py refuses
another address then). Passwords are hashed with argon2id (argon2-cffi); `python -m etl users`
manages the file.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

import tomli_w
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from i18n import N_, SaidError, later, t

ROLES = ("admin", "analyst", "regional", "callcenter", "dealer")
# Roles that see only part of the dealers, and the scope fields that may say which.
SCOPED = {"regional": ("regions", "provinces"), "callcenter": ("regions", "provinces"), "dealer": ("dealer_ids",)}
# Of those, the roles whose user without any scope sees every region (the lead's decision: a national call center).
NATIONAL = frozenset({"callcenter"})
SCOPE_FIELDS = ("regions", "provinces", "dealer_ids")
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-@")

_HASHER = PasswordHasher()
# Verified against when a name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class UsersError(SaidError, ValueError):
    """A users file or a user change that cannot be used; the message (a catalog message: said) says what and where."""


# A scope field as a user's scope is described ("regions=华东,华南"), in the catalogs.
SCOPE_WORDS = {
    "regions": N_("users.scope.regions"),
    "provinces": N_("users.scope.provinces"),
    "dealer_ids": N_("users.scope.dealer_ids"),
}


@dataclass(frozen=True)
class User:
    name: str
    role: str
    regions: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    dealer_ids: tuple[str, ...] = ()
    email: str = ""
    uploads: bool = False
    password: str = field(default="", repr=False)  # the argon2id hash

    @property
    def scoped(self) -> bool:
        """True when the user sees only the dealers of their scope (a national call center: every dealer)."""
        national = self.role in NATIONAL and not any(getattr(self, name) for name in SCOPE_FIELDS)
        return self.role in SCOPED and not national

    def describe_scope(self, lang: str = "en") -> str:
        """The user's scope in `lang` ("regions=华东; provinces=浙江", or "all dealers"); English in the audit trail."""
        parts = [
            t(SCOPE_WORDS[name], lang, values=",".join(getattr(self, name)))
            for name in SCOPE_FIELDS
            if getattr(self, name)
        ]
        return t("users.scope.separator", lang).join(parts) or t("users.scope.all", lang)


def check_user(user: User) -> User:
    """The user if it is consistent (known role, a scope where the role needs one and only the fields it allows)."""
    if not user.name or not set(user.name) <= NAME_CHARS:
        raise UsersError(later.t("users.bad_name", name=repr(user.name)))
    if user.role not in ROLES:
        raise UsersError(later.t("users.unknown_role", name=user.name, role=repr(user.role), roles=", ".join(ROLES)))
    allowed = SCOPED.get(user.role, ())
    given = [name for name in SCOPE_FIELDS if getattr(user, name)]
    if user.role in SCOPED and not given and user.role not in NATIONAL:
        fields = later.t("users.either", first=allowed[0], second=allowed[1]) if len(allowed) == 2 else allowed[0]
        raise UsersError(later.t("users.needs_scope", name=user.name, role=user.role, fields=fields))
    wrong = [name for name in given if name not in allowed]
    if wrong:
        which = later.t("users.may_have", fields=" / ".join(allowed)) if allowed else later.t("users.sees_every_dealer")
        raise UsersError(
            later.t("users.no_such_scope", name=user.name, role=user.role, wrong=", ".join(wrong), which=which)
        )
    if user.uploads and user.role != "analyst":
        raise UsersError(later.t("users.uploads_analysts_only", name=user.name))
    return user


def _strings(value, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise UsersError(later.t("users.not_texts", where=where))
    return tuple(v.strip() for v in value)


def load_users(path: Path) -> dict[str, User]:
    """Every user of the file by name; {} when the file does not exist (open access on this computer)."""
    if not path.exists():
        return {}
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsersError(later.t("users.not_toml", path=str(path), error=str(exc))) from exc
    users = {}
    for name, body in (doc.get("users") or {}).items():
        if not isinstance(body, dict):
            raise UsersError(later.t("users.not_a_table", path=str(path), name=name))
        unknown = set(body) - {"role", "password", "email", "uploads", *SCOPE_FIELDS}
        if unknown:
            raise UsersError(later.t("users.unknown_keys", path=str(path), name=name, keys=str(sorted(unknown))))
        user = User(
            name=name,
            role=str(body.get("role", "")),
            **{f: _strings(body.get(f, []), f"{path}: users.{name}.{f}") for f in SCOPE_FIELDS},
            email=str(body.get("email", "")).strip().lower(),
            uploads=body.get("uploads") is True,
            password=str(body.get("password", "")),
        )
        try:
            users[name] = check_user(user)
        except UsersError as exc:
            raise UsersError(later.t("users.in_file", path=str(path), error=exc.said)) from exc
    emails = [u.email for u in users.values() if u.email]
    if len(emails) != len(set(emails)):
        raise UsersError(later.t("users.email_twice", path=str(path)))
    return users


def save_users(path: Path, users: dict[str, User]) -> None:
    """Write the file whole (a temporary file renamed over it), readable by its owner only."""
    doc: dict[str, dict[str, object]] = {"users": {}}
    for name in sorted(users):
        user = users[name]
        body: dict[str, object] = {"role": user.role}
        for scope_field in SCOPE_FIELDS:
            if getattr(user, scope_field):
                body[scope_field] = list(getattr(user, scope_field))
        if user.email:
            body["email"] = user.email
        if user.uploads:
            body["uploads"] = True
        body["password"] = user.password
        doc["users"][name] = body
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".users-", suffix=".toml")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(b"# Users of the dashboard (python -m etl users ...; docs/access.md). Never commit this file.\n")
            tomli_w.dump(doc, out)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def hash_password(password: str, min_length: int) -> str:
    if len(password) < min_length:
        raise UsersError(later.ngettext("users.password_too_short", min_length))
    return _HASHER.hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """True when the password matches the user's hash; an unknown user costs the same time and is False."""
    try:
        return _HASHER.verify(user.password if user and user.password else _DUMMY_HASH, password) and bool(user)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def user_for_email(users: dict[str, User], email: str | None) -> User | None:
    """The user a single sign-on account maps to: the one whose `email` is the account's (case and spaces
    ignored); None for an account nobody mapped, or no e-mail."""
    wanted = (email or "").strip().lower()
    if not wanted:
        return None
    return next((user for user in users.values() if user.email == wanted), None)


def with_password(user: User, password: str, min_length: int) -> User:
    return replace(user, password=hash_password(password, min_length))


# --- python -m etl users add|remove|list|passwd ------------------------------------------------------


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").replace("，", ",").split(",") if part.strip())


def _typed_password(read_password, min_length: int, lang: str = "en") -> str:
    """The password typed twice (getpass: never on the command line nor echoed), asked for in `lang`."""
    first = read_password(t("users.prompt_password", lang))
    if len(first) < min_length:
        raise UsersError(later.ngettext("users.password_too_short", min_length))
    if read_password(t("users.prompt_again", lang)) != first:
        raise UsersError(later.t("users.passwords_differ"))
    return first


def _listed(user: User, lang: str) -> str:
    """A user's line of `users list`: name, role, scope, then e-mail and upload right when there are any."""
    extra = t("users.list_separator", lang).join(
        filter(None, [user.email, t("users.uploads", lang) if user.uploads else ""])
    )
    values = {"name": user.name, "role": user.role, "scope": user.describe_scope(lang)}
    return t("users.list_line_extra", lang, **values, extra=extra) if extra else t("users.list_line", lang, **values)


def run_command(args, read_password, out, lang: str = "en") -> int:
    """`python -m etl users ...` (etl/cli.py): 0 done, 1 refused (the message says why); its lines and prompts in
    `lang`."""
    from etl import audit, config
    from etl.rules import load_rules

    path = config.users_path(args.users)
    trail = config.audit_path()
    actor = f"cli:{os.environ.get('USER') or os.environ.get('USERNAME') or 'unknown'}"
    min_length = int(load_rules(config.rules_path(getattr(args, "rules", None)))["access.min_password_length"])
    users = load_users(path)
    if args.action == "list":
        if not users:
            print(t("users.none", lang, path=path), file=out)
        for user in users.values():
            print(_listed(user, lang), file=out)
        return 0
    name = args.name.strip().lower()
    if args.action == "remove":
        if name not in users:
            raise UsersError(later.t("users.no_such_user", name=name, path=str(path)))
        del users[name]
        save_users(path, users)
        audit.record(trail, actor, "user_removed", name=name)
        print(t("users.removed", lang, name=name), file=out)
        return 0
    if args.action == "passwd":
        if name not in users:
            raise UsersError(later.t("users.no_such_user", name=name, path=str(path)))
        users[name] = replace(
            users[name], password=hash_password(_typed_password(read_password, min_length, lang), min_length)
        )
        save_users(path, users)
        audit.record(trail, actor, "password_changed", name=name)
        print(t("users.password_changed", lang, name=name), file=out)
        return 0
    # add (or change the role and scope of) a user
    existing = users.get(name)
    user = check_user(
        User(
            name=name,
            role=args.role,
            regions=_split(args.regions),
            provinces=_split(args.provinces),
            dealer_ids=_split(args.dealers),
            email=(args.email or "").strip().lower(),
            uploads=bool(args.uploads),
            password=existing.password if existing else "",
        )
    )
    if user.email and any(u.email == user.email and u.name != name for u in users.values()):
        raise UsersError(later.t("users.email_taken", email=user.email))
    if not existing or args.new_password:
        user = replace(user, password=hash_password(_typed_password(read_password, min_length, lang), min_length))
    users[name] = user
    save_users(path, users)
    audit.record(
        trail,
        actor,
        "user_changed" if existing else "user_added",
        name=name,
        role=user.role,
        scope=user.describe_scope(),
        email=user.email,
        uploads=user.uploads,
    )
    done = {"name": name, "role": user.role, "scope": user.describe_scope(lang), "path": path}
    print(t("users.changed", lang, **done) if existing else t("users.added", lang, **done), file=out)
    return 0
