"""Tests of the equilibrium-learning engine (mechdesign.games.learning)."""
