"""The example fraud model: gradient-boosted trees over the transaction features."""
