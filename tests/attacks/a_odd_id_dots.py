"""A student id with `..` inside: a correct submission."""
STUDENT = "a..b"
