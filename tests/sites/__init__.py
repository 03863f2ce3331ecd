"""Sites served on 127.0.0.1 for the tests only: the trap site, the fault-injecting server
and the helpers crawls run under.

The bundled demo site and the server they share live in ``newscrawler.demo``.
"""
