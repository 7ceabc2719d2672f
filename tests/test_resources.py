"""Package data read with libyaml's safe loader gives exactly what the pure-Python safe loader gives."""
import yaml

from btchild_analysis import _resources


def test_every_data_yaml_reads_the_same_with_both_safe_loaders():
    files = sorted(_resources.DATA.rglob("*.yaml"))
    assert len(files) >= 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=_resources.LOADER) == yaml.load(text, Loader=yaml.SafeLoader), path


def test_the_loader_is_a_safe_one():
    assert _resources.LOADER in (getattr(yaml, "CSafeLoader", None), yaml.SafeLoader)
    try:
        yaml.load("!!python/object/apply:os.system ['true']", Loader=_resources.LOADER)
    except yaml.YAMLError:
        pass
    else:
        raise AssertionError("the package's YAML loader built a Python object")
