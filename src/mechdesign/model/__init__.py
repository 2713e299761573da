"""What the world is: environments, priors, ready-made environments."""
