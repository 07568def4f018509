"""The camera presets every part of BackView names (window, export, sessions, lessons), and the
words that say which way the learner is looking (the window's caption, the export dialog's
choices and an exported picture's subtitle)."""

#: camera presets, in the order menus and help list them
VIEWS: tuple[str, ...] = ("back", "oblique-left", "oblique-right", "left", "right", "top",
                          "table")

#: which way each preset looks, as a phrase that starts lower-case
VIEW_WORDS: dict[str, str] = {
    "back": "seen from behind",
    "oblique-left": "from behind, turned towards the body's left side",
    "oblique-right": "from behind, turned towards the body's right side",
    "left": "the body's left side",
    "right": "the body's right side",
    "top": "from above the shoulders",
    "table": "as the therapist standing beside the table sees the back",
}
#: a camera turned by hand or restored from a session, not a preset
CUSTOM_VIEW_WORDS = "a saved view"


def view_phrase(view: str | None) -> str:
    """``VIEW_WORDS`` of ``view`` as a sentence start ("Seen from behind"); None: a saved view."""
    words = CUSTOM_VIEW_WORDS if view is None else VIEW_WORDS.get(view, view)
    return words[0].upper() + words[1:]
