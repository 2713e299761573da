"""games subpackage."""
