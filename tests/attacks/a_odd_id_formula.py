"""A student id that a spreadsheet would evaluate as a formula: a correct submission."""
STUDENT = "=SUM(1+1)*cmd"
