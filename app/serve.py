"""Start the dashboard: `python -m app.serve [streamlit options]` runs `streamlit run dashboard.py`.

Safe by default (issue 15): it listens on 127.0.0.1 unless `--server.address` (or
STREAMLIT_SERVER_ADDRESS) names another address, and it refuses an address other machines can
reach while no users are configured (the users file, docs/access.md): without users the
dashboard is open access, for this computer only.

Streamlit 1.67 takes a folder named pages/ beside the entry point for an old-style multipage app
until the entry point has called st.navigation once: the first visitor after a server start then
gets a "Page not found" dialog over the page. Setting the flag it checks before the server
starts keeps every run on dashboard.py's navigation.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path

ENTRY_POINT = Path(__file__).resolve().parent.parent / "dashboard.py"
LOCAL = "127.0.0.1"
EXIT_REFUSED = 2


def asked_address(arguments: list[str]) -> str | None:
    """The address the options (or STREAMLIT_SERVER_ADDRESS) ask for; None: not said."""
    found = None
    for n, argument in enumerate(arguments):
        if argument == "--server.address" and n + 1 < len(arguments):
            found = arguments[n + 1]
        elif argument.startswith("--server.address="):
            found = argument.split("=", 1)[1]
    return found if found is not None else os.environ.get("STREAMLIT_SERVER_ADDRESS")


def is_local(address: str) -> bool:
    """True for addresses only this computer reaches (loopback, localhost)."""
    text = address.strip().strip("[]").lower()
    if text == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def refusal(arguments: list[str], users: dict, lang: str = "en") -> str | None:
    """Why the server must not start (a non-local address without users), or None; in `lang`."""
    address = asked_address(arguments)
    if address is None or is_local(address) or users:
        return None
    from etl import config
    from i18n import t

    return t("cli.error", lang, message=t("serve.open_to_anyone", lang, address=address, users=config.users_path()))


def arguments_for(arguments: list[str]) -> list[str]:
    """streamlit's command line: 127.0.0.1 unless an address was asked for."""
    extra = [] if asked_address(arguments) is not None else ["--server.address", LOCAL]
    return ["streamlit", "run", str(ENTRY_POINT), *extra, *arguments]


def main() -> None:
    from etl import config
    from etl.cli import language
    from etl.users import UsersError, load_users
    from i18n import say_of, t

    arguments, lang = sys.argv[1:], language()  # the locale's language (LANG, LC_ALL ...), as the command line
    try:
        users = load_users(config.users_path())
    except UsersError as exc:
        print(t("cli.error", lang, message=say_of(exc, lang)), file=sys.stderr)
        sys.exit(EXIT_REFUSED)
    problem = refusal(arguments, users, lang)
    if problem:
        print(problem, file=sys.stderr)
        sys.exit(EXIT_REFUSED)
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    sys.argv = arguments_for(arguments)
    cli.main()


if __name__ == "__main__":
    main()
