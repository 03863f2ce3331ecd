"""Scrapy project commands (COMMANDS_MODULE): ``crawl`` with newscrawler's exit codes."""
