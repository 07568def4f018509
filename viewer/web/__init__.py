"""BackView in the browser (``backview serve``): a trame application on the same core and render
code as the window. ``classroom`` holds what the class shares (the lesson step, the colour mode,
the camera) and the words of the zone panel, without any web library; ``app`` puts them on a
page; ``gate`` decides which connection is the instructor's. Never imports Qt.
"""
