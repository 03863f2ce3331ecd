"""Local sites for tests: the fault-injecting server and the helpers crawls run under."""
