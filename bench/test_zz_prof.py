import cProfile, pstats, sys
sys.path.insert(0, "/work/main")
from bench.test_ledger_import import *
@pytest.mark.django_db(transaction=True)
def test_prof(tmp_path, settings):
    city = factories.build_city()
    for name, category in INDUSTRIES:
        Industry.objects.get_or_create(name=name, defaults={"category": category})
    xlsx = tmp_path / "b.xlsx"; write_xlsx(xlsx, 5000)
    pr = cProfile.Profile(); pr.enable()
    commit_import(path=xlsx, user=city.admin, bulk=True, skip_invalid=True)
    pr.disable()
    pstats.Stats(pr).sort_stats("cumulative").print_stats(35)
