"""`python -m autograder verify [ASSIGNMENT...]`: measure how strong the hidden tests are.

For each assignment with a source notebook:

1. the solution scores full autograded points, through stock nbgrader and the kit's grader;
2. the blank release scores zero, and the autograding run completes;
3. every catalog mutant (`autograder.mutants`) dropped into an otherwise correct submission
   loses points in its own function's tests and nowhere else, and gets its own hint;
4. the release holds no solution code and no hidden-test code (compared line by line
   against the source notebook, not only by looking for the markers);
5. a table per assignment: function, tests, mutants caught / total, hint matched / total;
6. machine-made mutants (AST operators that mirror student slips) of every solution, graded
   in process on their function's tests: at least 95% of those that are not equivalent
   (equivalent: they match the reference on fresh random inputs) must be caught; a table
   per function and a line per survivor.

Check 3 runs in-process, like the hidden-test cells do (`grading.evaluate` over the
namespace of the submission's setup and answer cells); one stock nbgrader run per
assignment grades the solution, the blank release and a few sampled mutants together,
to show that both paths give the same scores and hints. Exit status 1 on any miss.

One concern per module:

- `catalog`: the catalog applies to the solution and covers every graded function;
- `mutation`: in-process grading of the solution and of each mutant, scores and hints;
- `operators`: the AST mutation operators; `machine`: machine-made mutants, graded;
- `stock`: the stock nbgrader run; `kit`: the kit grader's run;
- `external`: both graders on the same class, beside the in-process work;
- `leaks`: no solution or hidden-test line in the release;
- `assignment`: the checks of one assignment, in order;
- `report`: check lines and the per-function table;
- `cli`: the command line (`run`, `add_arguments`, `main`).
"""
