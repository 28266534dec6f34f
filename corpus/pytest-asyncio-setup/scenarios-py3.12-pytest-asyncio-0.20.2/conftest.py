"""No harness here: this interpreter does not share the pins' compiled packages."""
