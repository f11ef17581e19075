"""The instructor's side of the kit: authoring (source notebooks, reference, hidden tests,
mistake catalog, verify, release) and the sandboxed grader. See docs/architecture.md.

Importing the package runs nothing: the sandbox worker imports `autograder.grader.worker`
and must not pull in the tests, the reference or nbgrader.
"""
