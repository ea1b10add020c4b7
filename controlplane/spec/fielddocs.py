"""Field descriptions: the docstring written under each field of the spec models.

Read from the source only when a schema is rendered, not when the models are imported:
pydantic's ``use_attribute_docstrings`` would parse each class's source at every start of
mlcp (and of each worker), about 0.2 s.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterable
from types import ModuleType

from pydantic import BaseModel

FieldDocs = dict[type[BaseModel], dict[str, str]]


def _class_docs(node: ast.ClassDef) -> dict[str, str]:
    """Field name → the string literal right under its annotated assignment."""
    found: dict[str, str] = {}
    for statement, following in zip(node.body, node.body[1:], strict=False):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            found[statement.target.id] = inspect.cleandoc(following.value.value)
    return found


def field_docstrings(modules: Iterable[ModuleType]) -> FieldDocs:
    """The field docstrings of every pydantic model class defined in the modules."""
    docs: FieldDocs = {}
    for module in modules:
        for node in ast.parse(inspect.getsource(module)).body:
            cls = getattr(module, node.name, None) if isinstance(node, ast.ClassDef) else None
            if isinstance(cls, type) and issubclass(cls, BaseModel):
                docs[cls] = _class_docs(node)  # type: ignore[arg-type]
    return docs
