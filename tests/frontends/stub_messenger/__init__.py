"""A made-up messenger ("Stub") and coachbot's adapter for it: not shipped, never a feature.

It shows that a front end is one folder: everything it needs of coachbot is the public core
(the engine's events and replies, the script catalog, the command names, the turn store), and
nothing outside this folder names it. ``adapter.py`` is the whole adapter; the test next to it
runs a short debrief through it and checks what was stored.
"""
