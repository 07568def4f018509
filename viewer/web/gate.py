"""Who may drive the class: the instructor's token, checked on the server for every connection.

trame shares one state among every browser connected to a server and, by design, passes a
change one browser makes to all the others ("collaboration"). BackView turns that off for its
pages: no browser may change the shared state at all (:func:`lock_shared_state`), and the
instructor's choices reach the server only as named requests that the server checks against
the connection that sent them (:class:`InstructorGate`).

The instructor's link carries the token as ``?secret=TOKEN``: trame's page hands that value to
the server when it connects (wslink's "hello") and then removes it from the address bar, so it
does not show on a projected screen. A wrong or missing token still connects, as a viewer.
"""

from __future__ import annotations

import logging
import secrets

from wslink import register as export_rpc
from wslink.websocket import LinkProtocol

log = logging.getLogger(__name__)

#: the URL parameter of the instructor's link (the one trame's page sends to the server)
TOKEN_PARAMETER = "secret"
#: the requests BackView's page makes; every other one a connection may send (trame-vtk's
#: server-side rendering and camera, wslink's "stop the server") is unknown to this server
ALLOWED_REQUESTS = frozenset({
    "trame.state.get", "trame.state.update", "trame.trigger", "trame.lifecycle.update",
    "trame.error.client", "viewport.geometry.array.get", "application.exit.later",
})
#: the life-cycle notes trame's page sends (trame calls the controller's ``on_<name>``)
CLIENT_LIFE_CYCLE = frozenset({"client_connected", "client_unmounted", "client_exited"})


def new_token() -> str:
    """A random token for the instructor's link (URL-safe, 128 bits of randomness)."""
    return secrets.token_urlsafe(16)


class InstructorGate(LinkProtocol):
    """Accepts every connection; remembers those that presented the instructor's token."""

    def __init__(self, token: str):
        super().__init__()
        self._token = token.encode()
        #: wslink client ids of the connections that presented the token
        self.instructors: set[str] = set()
        #: the web server, to learn which connection sent the request being handled
        self.web_app = None

    async def validateToken(self, token, client_id) -> bool:  # noqa: N802 (wslink's name)
        if isinstance(token, str) and secrets.compare_digest(token.encode(), self._token):
            self.instructors.add(client_id)
        return True  # a wrong or missing token is a viewer, never refused

    def onClose(self, client_id) -> None:  # noqa: N802 (wslink's name)
        self.instructors.discard(client_id)

    def caller_is_instructor(self) -> bool:
        """Whether the request being handled came from the instructor's connection. wslink
        notes the sender just before it calls a request's handler; call this first thing in
        the handler (before any ``await``)."""
        if self.web_app is None:
            return False
        return self.web_app.last_active_client_id in self.instructors


def lock_shared_state(protocol) -> None:
    """Make the browsers' own state changes stay in their browser: trame's
    ``trame.state.update`` request, which would otherwise set the server's state and pass the
    change to every other browser, is answered and ignored. (BackView's pages keep their own
    choices, like the zone a viewer clicked, in client-only state, which is never sent.)
    Called on trame's root protocol before the web server reads its requests."""
    base = type(protocol)

    class Locked(base):
        @export_rpc("trame.state.update")
        def update_state(self, changes):
            keys = [c.get("key") for c in changes if isinstance(c, dict)] \
                if isinstance(changes, list) else changes
            log.warning("ignored a browser's change of the shared state: %s", keys)

        @export_rpc("trame.lifecycle.update")
        def life_cycle_update(self, name):
            if name in CLIENT_LIFE_CYCLE:  # not "server_ready" or any other hook of ours
                return base.life_cycle_update(self, name)
            log.warning("ignored a browser's life-cycle note %r", name)
            return None

        @export_rpc("application.exit")
        def exit(self):
            log.warning("ignored a browser's request to stop the server")

        @export_rpc("application.exit.later")
        def exitLater(self, secondsLater=60):  # noqa: N802, N803 (wslink's names)
            pass  # trame's page asks this when it closes; the class goes on without it

    Locked.__name__ = Locked.__qualname__ = f"Locked{base.__name__}"
    protocol.__class__ = Locked


def restrict_requests(web_app) -> int:
    """Forget every request but :data:`ALLOWED_REQUESTS` on ``web_app``'s websocket handlers
    (wslink builds their table of requests from every protocol trame-vtk registers, including
    the server-side rendering ones any connection could otherwise call). Returns how many were
    removed; none found at all is logged, as a newer wslink may keep them elsewhere."""
    handlers = getattr(web_app, "_ws_handlers", None) or []
    removed = 0
    for handler in handlers:
        table = getattr(handler, "functionMap", None)
        if not isinstance(table, dict):
            continue
        for name in [n for n in table if n not in ALLOWED_REQUESTS]:
            del table[name]
            removed += 1
    if not removed:
        log.warning("could not restrict the websocket's requests (wslink changed?)")
    return removed
