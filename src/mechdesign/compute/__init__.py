"""compute subpackage."""
