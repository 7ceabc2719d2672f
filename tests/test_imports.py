"""Importing what the notebooks import stays light (issue 16): no scipy.stats, scikit-learn or seaborn."""
import subprocess
import sys

NOTEBOOK_IMPORTS = ("from btchild_analysis import boundaries, indicators, interactive, maps, messages, plots, admin_units, "
                    "sections, targets, trends, scorecard, anthro_quality, anthropometry; "
                    "from btchild_analysis.dataset import load_dataset")


def test_notebook_modules_do_not_import_heavy_libraries():
    code = (f"import sys; {NOTEBOOK_IMPORTS}; "
            "print(','.join(m for m in ('scipy.stats', 'sklearn', 'seaborn', 'mapclassify') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_the_z_constant_is_the_normal_quantile():
    from scipy.stats import norm

    from btchild_analysis.indicators import Z95
    assert Z95 == float(norm.ppf(0.975))
