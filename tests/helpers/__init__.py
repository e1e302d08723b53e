"""Code the tests share: servers on loopback, the mirror over HTTP, the app under AppTest,
real Chromium, and waits on conditions. Fixtures live in ``tests/conftest.py``.
"""
