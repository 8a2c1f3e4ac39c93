"""Scenario forms accepted by qbnet.run / sweep / optimize: a dict with the TOML keys, TOML text, or a
path. Everything becomes TOML text for the C++ reader (parse_scenario), so validation and error messages
are the CLI's. This file only serialises; it knows no scenario keys."""
import json
import math
import os

__all__ = ["scenario_text", "override"]


def _value(v, where):
    """One TOML value (bool, int, float, str, list)."""
    if hasattr(v, "item") and not isinstance(v, (list, tuple, dict)):   # numpy scalar
        v = v.item()
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)          # shortest round-trip form: the reader sees the same double
    if isinstance(v, str):
        return json.dumps(v)    # a TOML basic string accepts JSON's escapes
    if isinstance(v, (list, tuple)) or hasattr(v, "tolist"):
        items = v.tolist() if hasattr(v, "tolist") else v
        return "[" + ", ".join(_value(x, where) for x in items) + "]"
    raise ValueError("%s: cannot write a %s as a TOML value" % (where, type(v).__name__))


def _key(k):
    k = str(k)
    bare = k and all(c.isalnum() or c in "_-" for c in k)
    return k if bare else json.dumps(k)


def _table(d, prefix, lines):
    scalars = [(k, v) for k, v in d.items() if not isinstance(v, dict)]
    tables = [(k, v) for k, v in d.items() if isinstance(v, dict)]
    if prefix and (scalars or not tables):
        lines.append("[%s]" % prefix)
    for k, v in scalars:
        lines.append("%s = %s" % (_key(k), _value(v, (prefix + "." if prefix else "") + str(k))))
    for k, v in tables:
        _table(v, (prefix + "." if prefix else "") + _key(k), lines)


def dict_to_toml(d):
    if not isinstance(d, dict):
        raise ValueError("scenario: a dict of TOML sections, TOML text or a path")
    lines = []
    _table(d, "", lines)
    return "\n".join(lines) + "\n"


def scenario_text(scenario, name=None):
    """(toml_text, name): the name is the file stem for a path (as in the CLI), else `name` or "scenario"."""
    if isinstance(scenario, dict):
        return dict_to_toml(scenario), name or "scenario"
    if isinstance(scenario, os.PathLike) or (isinstance(scenario, str) and "\n" not in scenario
                                             and "=" not in scenario and "[" not in scenario):
        path = os.fspath(scenario)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError:
            raise ValueError("cannot read scenario file '%s'" % path) from None
        return text, name or os.path.splitext(os.path.basename(path))[0]
    if isinstance(scenario, str):
        return scenario, name or "scenario"
    raise ValueError("scenario: a dict of TOML sections, TOML text or a path (got %s)" % type(scenario).__name__)


def override(key, value):
    """"section.key=value" for the reader's --set mechanism, value written as TOML. An integral float is
    written without a decimal point (as the CLI sweep does): integer keys reject 4.0, real keys accept 4."""
    if hasattr(value, "item") and not hasattr(value, "__len__"):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    return "%s=%s" % (key, _value(value, key))
