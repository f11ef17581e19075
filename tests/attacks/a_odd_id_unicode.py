"""A student id with unicode, spaces and dots: a correct submission."""
STUDENT = "Zoë Ünïcode .. name"
