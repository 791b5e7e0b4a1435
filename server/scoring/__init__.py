"""Scoring: pure functions from a snapshot (and its history) to fit and authenticity with reasons."""
