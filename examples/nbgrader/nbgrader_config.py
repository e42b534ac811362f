# nbgrader configuration of the labcheck example course (examples/nbgrader/).
c = get_config()  # noqa: F821 - provided by nbgrader

c.CourseDirectory.course_id = "labcheck-example"
c.CourseDirectory.root = "."
# The exercise file travels with the assignment; autograde restores it from source/.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
# Building containers and probing them takes a few seconds per cell.
c.ExecutePreprocessor.timeout = 180
