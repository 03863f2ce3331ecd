"""The project's spiders (Scrapy SPIDER_MODULES)."""
