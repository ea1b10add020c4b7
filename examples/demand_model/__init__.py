"""The example demand forecast: gradient-boosted regression trees."""
