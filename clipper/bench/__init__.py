"""Measuring code, kept out of the product packages: benchmarks and the synthetic corpus."""
