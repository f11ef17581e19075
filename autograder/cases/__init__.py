"""Hidden test cases, one module per assignment, each exporting `TESTS: list[Test]`."""
