"""Fakes at the boundaries: real protocols on loopback, scripted by the test."""
