"""The public namespace: md.__all__ lists every public name (the API reference documents exactly these)."""
import types

import mechdesign as md


def test_all_names_exist_and_every_public_name_is_listed():
    assert len(md.__all__) == len(set(md.__all__))
    assert [n for n in md.__all__ if not hasattr(md, n)] == []
    public = {n for n in dir(md) if not n.startswith("_") and not isinstance(getattr(md, n), types.ModuleType)}
    public.discard("PackageNotFoundError")   # an import of the version lookup, not API (being made private)
    assert sorted(public - set(md.__all__)) == []


def test_lazy_subpackages_are_public_and_list_their_names():
    for name in md._LAZY_SUBPACKAGES:
        assert name in md.__all__ and name in dir(md)
        sub = getattr(md, name)
        assert isinstance(sub, types.ModuleType) and sub.__all__
        assert [n for n in sub.__all__ if not hasattr(sub, n)] == []
