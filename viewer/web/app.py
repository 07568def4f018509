"""The page of ``backview serve``: a trame application around a :class:`Classroom`.

Every browser renders the body itself (trame-vtk's ``VtkLocalView``: vtk.js draws the scene of
the server's off-screen render window), so thirty viewers cost the server no rendering, and
each viewer can turn the body in their own browser. What the instructor chooses (the step, the
colour mode, the camera) is applied to the shared scene and reaches every browser. A click on
the body asks the server which zone lies under it and shows the answer in that browser only.
Everything the page loads comes from the installed trame packages: no script, font or style
from the internet.
"""

from __future__ import annotations

import logging
import time

from viewer.core.errors import BackViewError
from viewer.web.classroom import Classroom
from viewer.web.gate import InstructorGate, lock_shared_state, restrict_requests

log = logging.getLogger(__name__)

VIEW_REF = "bv_view"
#: state only a browser changes, for itself: never sent to the server or to other browsers
CLIENT_ONLY = ("bv_instructor", "bv_zone", "bv_down", "bv_moved", "bv_scene", "bv_framed")
#: a click that moved the pointer farther than this (CSS pixels) was a drag that turned the body
CLICK_SLOP = 5

# the page's JavaScript (vue template expressions)
_WHOAMI = ("trigger('bv_whoami').then((v) => { bv_instructor = !!v });"
           "trigger('bv_scene').then((s) => { bv_scene = s })")
# a presentation clicker (PageDown / PageUp, as in the window's presentation mode) and the arrow
# keys step through the lesson on the instructor's page; not while a list or field has the keys
_KEYS = ("window.addEventListener('keydown', (e) => {"
         " if (!bv_instructor || e.altKey || e.ctrlKey || e.metaKey"
         "     || (e.target && e.target.closest && e.target.closest('input, textarea, "
         "[role=listbox], .v-field'))) return;"
         " const next = ['PageDown', 'ArrowRight'].includes(e.key),"
         " previous = ['PageUp', 'ArrowLeft'].includes(e.key);"
         " if (!next && !previous) return;"
         " e.preventDefault();"
         " trigger('bv_go', [bv_step.index + (next ? 1 : -1)]); })")
_POINTER_DOWN = "bv_down = [$event.clientX, $event.clientY]; bv_moved = false"
_POINTER_UP = (f"bv_moved = Math.hypot($event.clientX - bv_down[0], "
               f"$event.clientY - bv_down[1]) > {CLICK_SLOP}")
_PICK = ("!bv_moved && trigger('bv_pick', [$event && $event.ray ? $event.ray : null])"
         ".then((p) => { if (p) { bv_zone = p } })")
_SEND_CAMERA = f"bv_instructor && trigger('bv_camera', [trame.refs.{VIEW_REF}.getCamera()])"
# the shared camera, with its parallel projection (trame-vtk's scene carries where the camera
# stands and looks, not its projection): when it changes, and once the page's scene is drawn
_FOLLOW_CAMERA = f"trame.refs.{VIEW_REF} && trame.refs.{VIEW_REF}.setCamera(bv_camera)"
_FIRST_FRAME = f"if (!bv_framed) {{ bv_framed = true; {_FOLLOW_CAMERA} }}"

CSS = """
html, body { overflow: hidden; }
.bv-main { display: flex; height: calc(100vh - 48px); }
.bv-3d { position: relative; flex: 1 1 auto; min-width: 0; background: #ffffff; }
.bv-side { flex: 0 0 420px; overflow-y: auto; border-left: 1px solid #ddd; background: #fafafa;
           padding: 12px 14px; font-size: 15px; line-height: 1.45; }
.bv-legend { position: absolute; left: 12px; bottom: 12px; background: rgba(255,255,255,0.92);
             border: 1px solid #ccc; border-radius: 6px; padding: 8px 12px; font-size: 14px;
             pointer-events: none; }
.bv-legend h4 { margin: 0 0 4px 0; font-size: 15px; }
.bv-row { display: flex; align-items: center; margin: 3px 0; }
.bv-swatch { display: inline-block; width: 22px; height: 14px; border: 1px solid #555;
             margin-right: 8px; flex: 0 0 auto; }
.bv-hatched { background-image: repeating-linear-gradient(135deg, transparent 0 3px,
              rgba(0,0,0,0.55) 3px 4.5px); }
.bv-card { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 10px 12px;
           margin-bottom: 12px; }
.bv-card h3 { font-size: 18px; margin: 2px 0 6px 0; }
.bv-card h5 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #555;
              margin: 10px 0 2px 0; }
.bv-muted { color: #555; font-size: 13px; }
.bv-quote { font-style: italic; color: #333; border-left: 3px solid #bbb; padding-left: 8px;
            margin: 4px 0; }
.bv-warning { color: #8a2b00; }
.bv-facts td { padding: 2px 10px 2px 0; vertical-align: top; }
.bv-role { font-size: 14px; margin-left: 12px; padding: 2px 10px; border-radius: 12px;
           background: #e8eef7; color: #14213d; }
.bv-role.bv-teacher { background: #f0e442; color: #14213d; font-weight: 500; }
"""


class ClassroomApp:
    """One trame server showing one :class:`Classroom`; ``token`` opens the instructor's
    controls."""

    def __init__(self, classroom: Classroom, token: str, *, name: str = "backview"):
        from trame.app import get_server

        self.classroom = classroom
        self.gate = InstructorGate(token)
        self.server = get_server(name, client_type="vue3")
        self.state, self.ctrl = self.server.state, self.server.controller
        self.server.add_protocol_to_configure(self._configure_protocol)
        self.ctrl.on_server_bind.add(self._bind)
        self._publish_shared()
        self.state.update({"bv_instructor": False, "bv_zone": None, "bv_down": [0, 0],
                           "bv_moved": False, "bv_scene": None, "bv_framed": False,
                           "trame__title": "BackView"})
        self.state.client_only(*CLIENT_ONLY)
        for name, fn in (("bv_whoami", self.whoami), ("bv_scene", self.scene),
                         ("bv_pick", self.pick),
                         ("bv_go", self.go), ("bv_mode", self.set_mode),
                         ("bv_camera", self.set_camera)):
            self.server.trigger(name)(fn)
        self.view = None
        self._build_ui()

    # ------------------------------------------------------------------ server plumbing
    def _configure_protocol(self, protocol) -> None:
        protocol.registerLinkProtocol(self.gate)
        lock_shared_state(protocol)

    def _bind(self, web_app) -> None:
        self.gate.web_app = web_app
        restrict_requests(web_app)

    def start(self, host: str, port: int, *, ready=None) -> None:
        """Serve until interrupted (blocking). ``ready(port)`` is called once listening."""
        if ready is not None:
            self.ctrl.on_server_ready.add(lambda **_: ready(self.server.port))
        self.server.start(host=host, port=port, open_browser=False, show_connection_info=False,
                          disable_logging=True, timeout=0)

    # ------------------------------------------------------------------ requests
    def whoami(self) -> bool:
        """Whether the asking browser holds the instructor's token."""
        return self.gate.caller_is_instructor()

    def scene(self) -> dict:
        """The whole 3D scene as it is now, for a browser that just opened the page (vtk.js
        then fetches its data arrays one by one)."""
        return self.view._helper.scene(self.classroom.render_window, new_state=True)

    def pick(self, ray=None) -> dict | None:
        """The zone panel under a click (for the asking browser only: nothing is shared)."""
        return self.classroom.pick(ray) if ray is not None else None

    def go(self, index) -> bool:
        """The instructor shows step ``index`` (0-based) to everyone."""
        if not self.gate.caller_is_instructor():
            log.warning("ignored a step change from a viewer")
            return False
        t0 = time.perf_counter()
        try:
            self.classroom.go(index)
        except BackViewError as exc:
            log.warning("ignored: %s", exc)
            return False
        t1 = time.perf_counter()
        self._publish_shared()
        self.state.flush()
        t2 = time.perf_counter()
        self._push_scene()
        log.debug("step %d: applied in %.3f s, text sent in %.3f s, scene sent in %.3f s",
                  index + 1, t1 - t0, t2 - t1, time.perf_counter() - t2)
        return True

    def set_mode(self, mode) -> bool:
        """The instructor colours everyone's body by ``mode``."""
        if not self.gate.caller_is_instructor():
            log.warning("ignored a colour mode change from a viewer")
            return False
        try:
            self.classroom.set_mode(mode)
        except BackViewError as exc:
            log.warning("ignored: %s", exc)
            return False
        self._publish_shared()
        self.state.flush()
        self._push_scene()
        return True

    def set_camera(self, params) -> bool:
        """The instructor's camera, after they turned the body: every viewer follows."""
        if not self.gate.caller_is_instructor():
            return False
        try:
            self.classroom.set_camera(params if isinstance(params, dict) else {})
        except BackViewError as exc:
            log.warning("ignored a camera: %s", exc)
            return False
        self._publish_shared()
        return True

    def _publish_shared(self) -> None:
        c = self.classroom
        self.state.update({"bv_step": c.step_panel(), "bv_mode": c.mode,
                           "bv_legend": c.legend_panel(), "bv_steps": c.steps(),
                           "bv_modes": c.colour_modes(), "bv_lesson": c.lesson.title,
                           "bv_camera": c.camera_params()})

    def _first_scene(self, **_) -> None:
        """Serialise the scene once at start, so that the first change sends only itself."""
        self.view._helper.scene(self.classroom.render_window, new_state=False)

    def _push_scene(self) -> None:
        """Send every browser what changed in the scene (trame-vtk's delta). trame-vtk's own
        ``update()`` would also put the whole scene in the shared state, pushing it to every
        browser at every change (a quarter of a MB each); a browser that opens the page asks
        for it instead (:meth:`scene`)."""
        if self.view is not None and self.server.protocol is not None:
            delta = self.view._helper.scene(self.classroom.render_window, new_state=False)
            self.server.protocol.publish("trame.vtk.delta", delta)

    # ------------------------------------------------------------------ the page
    def _build_ui(self) -> None:
        from trame.ui.vuetify3 import VAppLayout
        from trame.widgets import client, html
        from trame.widgets import vtk as vtk_widgets
        from trame.widgets import vuetify3 as v

        with VAppLayout(self.server, theme="light") as layout:
            self.layout = layout
            client.Style(CSS)
            client.ClientTriggers(mounted=f"{_WHOAMI}; {_KEYS}")
            client.ClientStateChange(value="bv_camera", change=_FOLLOW_CAMERA)
            with v.VAppBar(density="compact", color="#14213d", theme="dark", flat=True):
                v.VToolbarTitle("BackView \u00b7 {{ bv_lesson }}")
                html.Span("Instructor", v_if="bv_instructor", classes="bv-role bv-teacher",
                          id="bv-role")
                html.Span("Viewer: following the instructor", v_else=True, classes="bv-role",
                          id="bv-role")
                v.VSpacer()
                with html.Div(v_if="bv_instructor", classes="d-flex align-center"):
                    v.VBtn("Previous", click="trigger('bv_go', [bv_step.index - 1])",
                           disabled=("bv_step.index <= 0",), variant="outlined",
                           classes="mr-2", id="bv-previous")
                    v.VBtn("Next", click="trigger('bv_go', [bv_step.index + 1])",
                           disabled=("bv_step.index >= bv_step.count - 1",), variant="flat",
                           color="#f0e442", classes="mr-4 text-black", id="bv-next")
            with v.VMain(), html.Div(classes="bv-main"):
                with html.Div(classes="bv-3d", id="bv-3d", pointerdown=_POINTER_DOWN,
                              pointerup=_POINTER_UP,
                              **{"__events": ["pointerdown", "pointerup"]}):
                    self.view = vtk_widgets.VtkLocalView(
                        self.classroom.render_window, ref=VIEW_REF,
                        picking_modes=("['click']",), click=_PICK,
                        interactor_events=("['EndAnimation']",), EndAnimation=_SEND_CAMERA,
                        after_scene_loaded=_FIRST_FRAME, v_if="bv_scene")
                    # each browser's scene is its own (client-only state, asked for once:
                    # see scene()), kept up to date by the deltas of _push_scene; the view
                    # reads it when it is made, so it is made once the scene is there
                    self.view._attributes["view_state"] = ':viewState="bv_scene"'
                    self.ctrl.on_server_ready.discard(self.view.update)
                    self.ctrl.on_server_ready.add(self._first_scene)
                    with html.Div(classes="bv-legend", id="bv-legend"):
                        html.H4("{{ bv_legend.title }}")
                        with html.Div(v_for="row in bv_legend.rows", key="row.label",
                                      classes="bv-row"):
                            html.Span(classes=("['bv-swatch', row.hatched ? 'bv-hatched' : '']",),
                                      style=("{ backgroundColor: row.colour }",))
                            html.Span("{{ row.label }}")
                with html.Div(classes="bv-side", id="bv-side"):
                    self._instructor_controls(v, html)
                    self._zone_card(v, html)
                    self._step_card(html)
        return layout

    def _instructor_controls(self, v, html) -> None:
        with html.Div(v_if="bv_instructor", classes="bv-card", id="bv-controls"):
            html.H5("You lead the class")
            v.VSelect(items=("bv_steps",), model_value=("bv_step.index",), label="Step",
                      density="compact", hide_details=True, classes="mb-3",
                      update_modelValue="trigger('bv_go', [$event])", id="bv-step-select")
            v.VSelect(items=("bv_modes",), model_value=("bv_mode",), label="Colour by",
                      density="compact", hide_details=True,
                      update_modelValue="trigger('bv_mode', [$event])", id="bv-mode-select")
            html.Div("Turn the body: every viewer sees your view when you let go. "
                     "PageDown / PageUp (or \u2192 / \u2190) change the step.",
                     classes="bv-muted mt-2")

    def _zone_card(self, v, html) -> None:
        with html.Div(v_if="bv_zone", classes="bv-card", id="bv-zone"):
            with html.Div(classes="d-flex align-center"):
                html.H3("{{ bv_zone.name }}", classes="flex-grow-1", id="bv-zone-name")
                v.VBtn("Close", size="small", variant="text", click="bv_zone = null")
            with html.Table(classes="bv-facts"):
                with html.Tr(v_for="f in bv_zone.facts", key="f.label"):
                    html.Td("{{ f.label }}")
                    with html.Td():
                        html.Span(classes="bv-swatch", style=("{ backgroundColor: f.colour }",))
                        html.Span("{{ f.value }}")
                        html.Span(" ({{ f.note }})", v_if="f.note", classes="bv-muted")
            html.Div("{{ bv_zone.also }}", v_if="bv_zone.also", classes="bv-muted mt-1")
            with html.Div(v_for="s in bv_zone.sections", key="s.heading"):
                html.H5("{{ s.heading }}")
                with html.Ul(v_if="s.bulleted"):
                    html.Li("{{ p }}", v_for="p in s.paragraphs",
                            classes=("s.warning ? 'bv-warning' : ''",))
                with html.Div(v_else=True):
                    html.Div("{{ p }}", v_for="p in s.paragraphs",
                             classes=("s.kind === 'citations' ? 'bv-quote' : ''",))

    def _step_card(self, html) -> None:
        with html.Div(classes="bv-card", id="bv-step"):
            html.Div("{{ bv_step.heading }}", classes="bv-muted", id="bv-step-heading")
            html.H3("{{ bv_step.title }}", id="bv-step-title")
            html.Div("{{ bv_step.caption }}")
            with html.Div(v_if="bv_step.rules.length"):
                html.H5("Keep in mind")
                with html.Div(v_for="r in bv_step.rules", key="r.title"):
                    html.B("{{ r.title }}: ")
                    html.Span("{{ r.text }}")
            html.H5("From the guide")
            html.Div("{{ q }}", v_for="q in bv_step.quotes", classes="bv-quote")
