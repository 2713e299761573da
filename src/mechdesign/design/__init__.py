"""design subpackage."""
