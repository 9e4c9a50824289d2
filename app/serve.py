"""Start the dashboard: `python -m app.serve [streamlit options]` runs `streamlit run dashboard.py`.

Safe by default (issue 15): it listens on 127.0.0.1 unless `--server.address` (or
STREAMLIT_SERVER_ADDRESS) names another address, and it refuses an address other machines can
reach while no users are configured (the users file, docs/access.md): without users the
dashboard is open access, for this computer only.

Streamlit 1.67 takes a folder named pages/ beside the entry point for an old-style multipage app
until the entry point has called st.navigation once: the first visitor after a server start then
gets a "Page not found" dialog over the page. Setting the flag it checks before the server
starts keeps every run on dashboard.py's navigation.

Issue 14 (first paint): its connections send each response at once (answer_without_delay), not after the
browser's delayed acknowledgement of the one before.
"""

from __future__ import annotations

import ipaddress
import os
import socket
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


def answer_without_delay() -> None:
    """Streamlit's server sockets made as TCP sockets, so that asyncio turns Nagle's algorithm off on each
    connection (it does so only for sockets whose protocol says TCP; Streamlit 1.67 makes its listening socket with
    protocol 0). With Nagle on, every response after the first on a kept-alive connection waited about 40 ms for
    the browser's delayed acknowledgement: the hundred-odd files of a first view took 0.5-0.7 s instead of 0.1 s."""
    from streamlit.web.server.starlette import starlette_server

    bind = getattr(starlette_server, "_bind_socket", None)
    if bind is None or getattr(bind, "answers_without_delay", False):
        return

    def bind_tcp(address: str, port: int, backlog: int) -> socket.socket:
        listening = bind(address, port, backlog)
        tcp = socket.socket(listening.family, listening.type, socket.IPPROTO_TCP, fileno=listening.detach())
        tcp.setblocking(False)
        tcp.set_inheritable(True)
        return tcp

    bind_tcp.answers_without_delay = True  # type: ignore[attr-defined]
    starlette_server._bind_socket = bind_tcp


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
    answer_without_delay()
    sys.argv = arguments_for(arguments)
    cli.main()


if __name__ == "__main__":
    main()
