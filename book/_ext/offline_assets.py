"""Placeholder: serves MathJax and the ipywidgets manager from local copies (filled in below)."""


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}
