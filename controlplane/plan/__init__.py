"""`mlcp plan`: what a change to the specs does, for the person reviewing it.

`planner.make_plan` compiles the base revision (from git objects) and the
working tree, renders both with the build's renderers, and compares them:
`specdiff` and `meaning` for the spec values (named, shown and judged by the
model's field annotations, read through `fields`), `artifacts` for the generated
files and alerts, `resources` for infrastructure and PagerDuty, `cost` for the
monthly bill; `generated` for the generated files on disk that are not what the
specs render (the build check's comparison). `textout`, `markdown` and
`jsonout` print the result; `trim` chooses the diffs the pull-request comment
has room for.
"""
