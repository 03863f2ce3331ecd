"""Sites served on 127.0.0.1 for the tests only: the trap site and, beside it, the fault sites.

The bundled demo site and the server they share live in ``newscrawler.demo``.
"""
